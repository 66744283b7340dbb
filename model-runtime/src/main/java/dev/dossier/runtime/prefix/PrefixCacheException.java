package dev.dossier.runtime.prefix;

import java.io.IOException;

/** A prefix cache file that cannot be used: damaged, truncated, or made for another model or attention. */
public class PrefixCacheException extends IOException {
    public PrefixCacheException(String message) {
        super(message);
    }
}
