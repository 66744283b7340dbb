package dev.dossier.runtime.onnx;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.compute.Parallel;
import dev.dossier.runtime.engine.Engine;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;
import dev.dossier.runtime.onnx.proto.OnnxProto.ModelProto;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs the model with ONNX Runtime through DJL's OnnxRuntime engine. The decoder graph is
 * written from the model's own GGUF weights into a private temporary directory (graph plus one
 * external weights file), once per attention config, and deleted on {@link #close()}. The CUDA
 * execution provider is used when ONNX Runtime offers it (the {@code onnxruntime_gpu} natives on a
 * GPU host) unless {@code dossier.onnx.device=cpu}; otherwise the CPU provider.
 */
public final class OnnxEngine implements Engine {
    /** {@code auto} (CUDA when available), {@code cpu} or {@code cuda}. */
    public static final String DEVICE_PROPERTY = "dossier.onnx.device";
    private static final String DJL_ENGINE = "OnnxRuntime";

    private final Llama model;
    private final Device device;
    private final boolean q8Quantized;
    private final Consumer<String> progress;
    private final Path directory;
    private final WeightsFile weights;
    private final Map<String, OnnxDecoder> decoders = new HashMap<>();

    /** @param progress hears what takes time: writing the graph, loading it into ONNX Runtime */
    public OnnxEngine(Llama model, String device, Consumer<String> progress) {
        this(model, chooseDevice(device), progress);
    }

    /** Q8_0 stays quantized on a GPU only (see {@link LlamaGraph}); tests may ask for it on the CPU. */
    OnnxEngine(Llama model, Device device, Consumer<String> progress) {
        this(model, device, device.isGpu(), progress);
    }

    OnnxEngine(Llama model, Device device, boolean q8Quantized, Consumer<String> progress) {
        this.model = model;
        this.device = device;
        this.q8Quantized = q8Quantized;
        this.progress = progress;
        try {
            this.directory = Files.createTempDirectory("dossier-onnx-");
            this.weights = new WeightsFile(directory.resolve("weights.bin"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the ONNX graph", e);
        }
    }

    @Override
    public String name() {
        return "onnx";
    }

    /** The graph reads and writes floats (see {@link OnnxDecoder}). */
    @Override
    public KvCache.Precision kvPrecision() {
        return KvCache.Precision.F32;
    }

    @Override
    public Llama model() {
        return model;
    }

    /** Where the graphs and their weights are written (removed on close). */
    public Path directory() {
        return directory;
    }

    @Override
    public String device() {
        return device.toString();
    }

    @Override
    public Session newSession(AttentionConfig attention, int capacity) {
        // The graph rotates every query all three DCA ways, so its table reaches CS whatever the capacity.
        int rotaryPositions = attention.dca() ? attention.chunkSize() + 1 : Math.max(capacity, 1);
        return new OnnxSession(model, attention, capacity, decoder(attention, rotaryPositions));
    }

    /** The loaded graph for {@code attention}; the rotary table grows only for plain RoPE, whose positions are unbounded. */
    synchronized OnnxDecoder decoder(AttentionConfig attention, int rotaryPositions) {
        String key = attention + "/" + rotaryPositions;
        OnnxDecoder decoder = decoders.get(key);
        if (decoder == null) {
            decoder = load(attention, rotaryPositions, "llama-" + decoders.size());
            decoders.put(key, decoder);
        }
        return decoder;
    }

    private OnnxDecoder load(AttentionConfig attention, int rotaryPositions, String name) {
        progress.accept("writing the ONNX graph (" + attention + ") to " + directory);
        ModelProto graph = LlamaGraph.build(model, attention, rotaryPositions, q8Quantized, weights);
        Path file = directory.resolve(name + ".onnx");
        try (OutputStream out = Files.newOutputStream(file)) {
            graph.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ONNX graph to " + file, e);
        }
        progress.accept("loading the graph (" + weights.size() / 1_000_000 + " MB of weights) into ONNX Runtime on " + device);
        Model djlModel = Model.newInstance(name, device, DJL_ENGINE);
        try {
            djlModel.load(directory, name, Map.of(
                    "intraOpNumThreads", Integer.toString(Parallel.threads()),
                    "interOpNumThreads", "1"));
        } catch (IOException | MalformedModelException e) {
            djlModel.close();
            throw new IllegalStateException("ONNX Runtime refused the graph written for " + model.path() + ": " + e.getMessage(), e);
        }
        return new OnnxDecoder(djlModel, model.config());
    }

    /** Average time per ONNX Runtime call since the last reset, over all graphs; resets the counters. */
    public synchronized CallTimings.Snapshot takeCallTimings() {
        CallTimings total = new CallTimings();
        for (OnnxDecoder decoder : decoders.values()) {
            total.add(decoder.timings());
            decoder.timings().reset();
        }
        return total.snapshot();
    }

    @Override
    public synchronized void close() {
        decoders.values().forEach(OnnxDecoder::close);
        
        decoders.clear();
        try {
            weights.close();
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + directory, e);
        }
    }

    /** {@code -Ddossier.onnx.device}, else the environment's {@code DOSSIER_ONNX_DEVICE}, else auto. */
    public static String configuredDevice() {
        String property = System.getProperty(DEVICE_PROPERTY);
        String environment = System.getenv("DOSSIER_ONNX_DEVICE");
        return property != null ? property : environment != null ? environment : "auto";
    }

    private static Device chooseDevice(String choice) {
        boolean cudaAvailable = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        return switch (choice.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> cudaAvailable ? Device.gpu(0) : Device.cpu();
            case "cpu" -> Device.cpu();
            case "cuda", "gpu" -> {
                if (!cudaAvailable) {
                    throw new IllegalStateException(DEVICE_PROPERTY + "=cuda, but this ONNX Runtime has no CUDA execution provider"
                            + " (it needs the onnxruntime_gpu natives and a GPU); available: " + OrtEnvironment.getAvailableProviders());
                }
                yield Device.gpu(0);
            }
            default -> throw new IllegalArgumentException(DEVICE_PROPERTY + " must be auto, cpu or cuda, not '" + choice + "'");
        };
    }
}
