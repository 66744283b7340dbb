package dev.dossier.webapp;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The JAX-RS application behind {@code /api}. */
@ApplicationPath("/api")
public class DossierApi extends Application {
}
