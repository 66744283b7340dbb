package dev.dossier.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * Whether this machine can run the accelerated engine: an NVIDIA GPU that {@code nvidia-smi}
 * lists, and ONNX Runtime's CUDA execution provider ({@value #CUDA_PROVIDER}) where the engine
 * can load it.
 */
final class Accelerator {
    static final String CUDA_PROVIDER = "libonnxruntime_providers_cuda.so";
    private static final String JAR_ENTRY = "ai/onnxruntime/native/linux-x64/" + CUDA_PROVIDER;

    private Accelerator() {
    }

    /** Why the accelerated engine cannot run here, or empty when it can. */
    static Optional<String> missing() {
        Optional<String> gpu = gpu();
        if (gpu.isPresent()) {
            return gpu;
        }
        return cudaProvider().isPresent() ? Optional.empty()
                : Optional.of("no ONNX Runtime CUDA native (" + CUDA_PROVIDER + ") in $DOSSIER_ONNXRUNTIME_LIB, $LD_LIBRARY_PATH, "
                        + "~/.djl.ai or an onnxruntime_gpu jar in ~/.m2");
    }

    private static Optional<String> gpu() {
        try {
            Process process = new ProcessBuilder("nvidia-smi", "-L").redirectErrorStream(true).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.of("no GPU: nvidia-smi did not answer in 30 s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0 || !output.contains("GPU")) {
                return Optional.of("no GPU: nvidia-smi -L exited " + process.exitValue() + (output.isEmpty() ? "" : ": " + output.lines().findFirst().orElse("")));
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("no GPU: nvidia-smi is not installed (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while asking nvidia-smi");
        }
    }

    /** Where the CUDA provider is: a file, or a jar that holds it. */
    static Optional<Path> cudaProvider() {
        List<Path> directories = new ArrayList<>();
        String configured = System.getenv("DOSSIER_ONNXRUNTIME_LIB");
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (Files.isRegularFile(path) && path.getFileName().toString().equals(CUDA_PROVIDER)) {
                return Optional.of(path);
            }
            directories.add(path);
        }
        String libraryPath = System.getenv("LD_LIBRARY_PATH");
        if (libraryPath != null) {
            for (String entry : libraryPath.split(":")) {
                if (!entry.isBlank()) {
                    directories.add(Path.of(entry));
                }
            }
        }
        for (Path directory : directories) {
            Path candidate = directory.resolve(CUDA_PROVIDER);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        Path home = Path.of(System.getProperty("user.home"));
        Optional<Path> djl = find(home.resolve(".djl.ai"), 8, p -> p.getFileName().toString().equals(CUDA_PROVIDER));
        if (djl.isPresent()) {
            return djl;
        }
        return find(home.resolve(".m2/repository/com/microsoft/onnxruntime/onnxruntime_gpu"), 3,
                p -> p.getFileName().toString().endsWith(".jar") && jarHolds(p));
    }

    private static Optional<Path> find(Path root, int depth, java.util.function.Predicate<Path> wanted) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> paths = Files.walk(root, depth)) {
            return paths.filter(Files::isRegularFile).filter(wanted).findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean jarHolds(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.getEntry(JAR_ENTRY) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
