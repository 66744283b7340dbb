package dev.dossier.persistence;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The clock the entities use for their timestamps. */
public final class Timestamps {

    private Timestamps() {
    }

    /**
     * Now, to the microsecond: PostgreSQL keeps microseconds, so a value handed back before
     * it was stored equals the one read later.
     */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
