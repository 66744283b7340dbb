package dev.dossier.it;

import dev.dossier.runtime.prefix.PrefixCacheFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The server's data directory (the prefix-cache files), as configured by the build. */
final class DataDirectory {
    private DataDirectory() {
    }

    static Path prefixCache() {
        return Path.of(System.getProperty("dossier.it.data-dir"), "prefix-cache");
    }

    /** The prefix-cache files of one document set (named {@code <setId>-v<version>-<key>.kv}). */
    static List<Path> cacheFilesOf(String setId) {
        Path directory = prefixCache();
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().startsWith(setId)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many tokens of prompt prefix a cache file holds, read from its header. */
    static int tokensIn(Path cacheFile) throws IOException {
        return PrefixCacheFile.readHeader(cacheFile).tokens().length;
    }
}
