package dev.dossier.webapp.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static java.util.Map.entry;

/**
 * Detects a file's type: by extension (or well-known name) first, then by magic bytes,
 * then by the declared media type, and finally by sniffing for text. Text is demoted to
 * binary when it holds NUL bytes, whatever its extension.
 */
final class FileTypes {

    /** How far into a file to look for NUL bytes, the mark of a binary. */
    static final int SNIFF_BYTES = 8 * 1024;

    private static final byte[] PDF_MAGIC = {'%', 'P', 'D', 'F', '-'};
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    private static final byte[] EMPTY_ZIP_MAGIC = {'P', 'K', 5, 6};
    private static final String DOCX_MAIN_PART = "word/document.xml";

    private static final Map<String, FileType> BY_EXTENSION = Map.ofEntries(
            entry("pdf", FileType.PDF),
            entry("docx", FileType.DOCX),
            entry("zip", FileType.ZIP),
            // prose and data
            entry("txt", FileType.PLAIN_TEXT),
            entry("text", FileType.PLAIN_TEXT),
            entry("log", FileType.PLAIN_TEXT),
            entry("md", FileType.text("text/markdown")),
            entry("markdown", FileType.text("text/markdown")),
            entry("csv", FileType.text("text/csv")),
            entry("tsv", FileType.text("text/tab-separated-values")),
            entry("rst", FileType.text("text/x-rst")),
            entry("adoc", FileType.text("text/asciidoc")),
            // JVM
            entry("java", FileType.text("text/x-java")),
            entry("kt", FileType.text("text/x-kotlin")),
            entry("kts", FileType.text("text/x-kotlin")),
            entry("scala", FileType.text("text/x-scala")),
            entry("groovy", FileType.text("text/x-groovy")),
            entry("gradle", FileType.text("text/x-groovy")),
            entry("clj", FileType.text("text/x-clojure")),
            // scripting and web
            entry("py", FileType.text("text/x-python")),
            entry("rb", FileType.text("text/x-ruby")),
            entry("php", FileType.text("text/x-php")),
            entry("pl", FileType.text("text/x-perl")),
            entry("lua", FileType.text("text/x-lua")),
            entry("r", FileType.text("text/x-r")),
            entry("js", FileType.text("text/javascript")),
            entry("mjs", FileType.text("text/javascript")),
            entry("cjs", FileType.text("text/javascript")),
            entry("jsx", FileType.text("text/x-jsx")),
            entry("ts", FileType.text("text/x-typescript")),
            entry("tsx", FileType.text("text/x-tsx")),
            entry("vue", FileType.text("text/x-vue")),
            entry("svelte", FileType.text("text/x-svelte")),
            entry("html", FileType.text("text/html")),
            entry("htm", FileType.text("text/html")),
            entry("css", FileType.text("text/css")),
            entry("scss", FileType.text("text/x-scss")),
            entry("dart", FileType.text("text/x-dart")),
            // systems
            entry("go", FileType.text("text/x-go")),
            entry("rs", FileType.text("text/x-rust")),
            entry("c", FileType.text("text/x-c")),
            entry("h", FileType.text("text/x-c")),
            entry("cpp", FileType.text("text/x-c++")),
            entry("cc", FileType.text("text/x-c++")),
            entry("cxx", FileType.text("text/x-c++")),
            entry("hpp", FileType.text("text/x-c++")),
            entry("hh", FileType.text("text/x-c++")),
            entry("cs", FileType.text("text/x-csharp")),
            entry("swift", FileType.text("text/x-swift")),
            entry("m", FileType.text("text/x-objective-c")),
            entry("hs", FileType.text("text/x-haskell")),
            entry("ex", FileType.text("text/x-elixir")),
            entry("exs", FileType.text("text/x-elixir")),
            entry("erl", FileType.text("text/x-erlang")),
            entry("zig", FileType.text("text/x-zig")),
            // shells, queries, schemas
            entry("sh", FileType.text("text/x-shellscript")),
            entry("bash", FileType.text("text/x-shellscript")),
            entry("zsh", FileType.text("text/x-shellscript")),
            entry("bat", FileType.text("text/x-bat")),
            entry("ps1", FileType.text("text/x-powershell")),
            entry("sql", FileType.text("text/x-sql")),
            entry("graphql", FileType.text("text/x-graphql")),
            entry("proto", FileType.text("text/x-protobuf")),
            // configuration
            entry("yaml", FileType.text("text/x-yaml")),
            entry("yml", FileType.text("text/x-yaml")),
            entry("toml", FileType.text("text/x-toml")),
            entry("json", FileType.text("application/json")),
            entry("xml", FileType.text("application/xml")),
            entry("xsd", FileType.text("application/xml")),
            entry("svg", FileType.text("image/svg+xml")),
            entry("properties", FileType.text("text/x-java-properties")),
            entry("ini", FileType.text("text/x-ini")),
            entry("cfg", FileType.text("text/x-ini")),
            entry("conf", FileType.text("text/plain")),
            entry("tf", FileType.text("text/x-terraform")),
            entry("cmake", FileType.text("text/x-cmake")),
            entry("mk", FileType.text("text/x-makefile")));

    private static final Map<String, FileType> BY_FILE_NAME = Map.of(
            "Dockerfile", FileType.text("text/x-dockerfile"),
            "Containerfile", FileType.text("text/x-dockerfile"),
            "Makefile", FileType.text("text/x-makefile"),
            "makefile", FileType.text("text/x-makefile"),
            "GNUmakefile", FileType.text("text/x-makefile"),
            "Jenkinsfile", FileType.text("text/x-groovy"),
            "Gemfile", FileType.text("text/x-ruby"),
            "Rakefile", FileType.text("text/x-ruby"),
            "Vagrantfile", FileType.text("text/x-ruby"));

    /** Formats Dossier does not read; listed so they are refused without sniffing. */
    private static final Set<String> BINARY_EXTENSIONS = Set.of(
            "png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "tif", "tiff", "psd", "heic",
            "jar", "war", "ear", "class", "exe", "dll", "so", "dylib", "o", "a", "lib", "obj", "bin", "dat",
            "pyc", "pyo", "wasm", "woff", "woff2", "ttf", "otf", "eot",
            "mp3", "mp4", "wav", "ogg", "flac", "avi", "mov", "mkv", "webm",
            "gz", "tgz", "bz2", "xz", "zst", "7z", "rar", "tar", "iso", "dmg",
            "doc", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "sqlite", "db");

    private static final Map<String, FileType> BY_DECLARED_MEDIA_TYPE = Map.of(
            "application/pdf", FileType.PDF,
            FileType.DOCX.mediaType(), FileType.DOCX,
            "application/zip", FileType.ZIP,
            "application/x-zip-compressed", FileType.ZIP,
            "text/plain", FileType.PLAIN_TEXT,
            "text/markdown", FileType.text("text/markdown"),
            "text/csv", FileType.text("text/csv"));

    private FileTypes() {
    }

    static FileType detect(String path, String declaredMediaType, byte[] bytes) {
        FileType type = byName(path)
                .or(() -> byMagic(bytes))
                .or(() -> byDeclaredMediaType(declaredMediaType))
                .orElse(FileType.PLAIN_TEXT);
        return type.format() == FileType.Format.TEXT && hasNulByte(bytes) ? FileType.BINARY : type;
    }

    /** The type a file's name implies, before its bytes are read. */
    static Optional<FileType> byName(String path) {
        String fileName = path.substring(path.lastIndexOf('/') + 1);
        FileType named = BY_FILE_NAME.get(fileName);
        if (named != null) {
            return Optional.of(named);
        }
        if (fileName.startsWith("Dockerfile.")) {
            return Optional.of(BY_FILE_NAME.get("Dockerfile"));
        }
        int dot = fileName.lastIndexOf('.');
        if (dot <= 0) { // no extension, or a dot file such as .gitignore
            return Optional.empty();
        }
        String extension = fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (BINARY_EXTENSIONS.contains(extension)) {
            return Optional.of(FileType.BINARY);
        }
        return Optional.ofNullable(BY_EXTENSION.get(extension));
    }

    static boolean hasZipMagic(byte[] bytes) {
        return startsWith(bytes, ZIP_MAGIC) || startsWith(bytes, EMPTY_ZIP_MAGIC);
    }

    private static Optional<FileType> byMagic(byte[] bytes) {
        if (startsWith(bytes, PDF_MAGIC)) {
            return Optional.of(FileType.PDF);
        }
        if (hasZipMagic(bytes)) {
            return Optional.of(containsDocxMainPart(bytes) ? FileType.DOCX : FileType.ZIP);
        }
        return Optional.empty();
    }

    private static Optional<FileType> byDeclaredMediaType(String declaredMediaType) {
        if (declaredMediaType == null) {
            return Optional.empty();
        }
        // drop parameters such as "; charset=utf-8"
        String essence = declaredMediaType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return Optional.ofNullable(BY_DECLARED_MEDIA_TYPE.get(essence));
    }

    private static boolean containsDocxMainPart(byte[] bytes) {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().equals(DOCX_MAIN_PART)) {
                    return true;
                }
            }
            return false;
        } catch (IOException | IllegalArgumentException unreadable) {
            // not a readable zip: let the archive reader report it
            return false;
        }
    }

    private static boolean hasNulByte(byte[] bytes) {
        int sniffed = Math.min(bytes.length, SNIFF_BYTES);
        for (int i = 0; i < sniffed; i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }
}
