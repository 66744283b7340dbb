package dev.dossier.persistence;

import java.util.UUID;

/** An operation needed a row that does not exist (or not where the caller said it is). */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String what, UUID id) {
        super(what + " " + id + " not found");
    }
}
