package dev.dossier.persistence.prefixcache;

/** Where a prefix cache is in its life. */
public enum PrefixCacheStatus {
    COMPUTING,
    READY,
    FAILED,
    /**
     * Made for an older content version. Not set by {@link PrefixCaches}, which deletes such
     * entries instead; allowed by the schema for tools that keep them around.
     */
    STALE
}
