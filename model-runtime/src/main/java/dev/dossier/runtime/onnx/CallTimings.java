package dev.dossier.runtime.onnx;

import java.util.concurrent.atomic.LongAdder;

/**
 * Where the time of the engine's ONNX Runtime calls goes: handing the inputs over (for the KV
 * cache, zero-copy views), the run itself, and taking the outputs back (new keys, values and
 * logits only). Shows what the host-side handling of a long cache costs next to the compute.
 */
public final class CallTimings {
    private final LongAdder calls = new LongAdder();
    private final LongAdder inputNanos = new LongAdder();
    private final LongAdder runNanos = new LongAdder();
    private final LongAdder outputNanos = new LongAdder();

    /** Averages per call, in milliseconds. */
    public record Snapshot(long calls, double inputMs, double runMs, double outputMs) {
    }

    void record(long input, long run, long output) {
        calls.increment();
        inputNanos.add(input);
        runNanos.add(run);
        outputNanos.add(output);
    }

    void add(CallTimings other) {
        calls.add(other.calls.sum());
        inputNanos.add(other.inputNanos.sum());
        runNanos.add(other.runNanos.sum());
        outputNanos.add(other.outputNanos.sum());
    }

    Snapshot snapshot() {
        long n = Math.max(1, calls.sum());
        return new Snapshot(calls.sum(), inputNanos.sum() / 1e6 / n, runNanos.sum() / 1e6 / n, outputNanos.sum() / 1e6 / n);
    }

    void reset() {
        calls.reset();
        inputNanos.reset();
        runNanos.reset();
        outputNanos.reset();
    }
}
