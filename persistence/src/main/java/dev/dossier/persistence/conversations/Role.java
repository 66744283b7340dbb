package dev.dossier.persistence.conversations;

/** Who wrote a message. */
public enum Role { USER, ASSISTANT, SYSTEM }
