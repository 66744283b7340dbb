package dev.dossier.runtime.compute;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * One fixed pool of worker threads, sized to the cores, shared by every kernel. Work is split
 * into contiguous ranges so each thread touches its own rows; small jobs run on the caller.
 */
public final class Parallel {
    private static volatile int THREADS = Integer.getInteger("dossier.threads", Runtime.getRuntime().availableProcessors());
    private static volatile ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS) : null;

    private Parallel() {
    }

    public static int threads() {
        return THREADS;
    }

    /**
     * Replaces the pool with one of {@code threads} workers (for tools such as {@code bench});
     * call it only while no kernel runs.
     */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (threads == THREADS) {
            return;
        }
        ForkJoinPool old = POOL;
        POOL = threads > 1 ? new ForkJoinPool(threads) : null;
        THREADS = threads;
        if (old != null) {
            old.shutdown();
        }
    }

    /** A body over the index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, n)} in parallel when the work is worth it:
     * {@code costPerItem} is a rough count of operations per index.
     */
    public static void forRange(int n, long costPerItem, RangeBody body) {
        ForkJoinPool pool = POOL;
        if (pool == null || n < 2 || (long) n * costPerItem < 32_768) {
            body.run(0, n);
            return;
        }
        int pieces = Math.min(n, THREADS * 4);
        List<RecursiveAction> tasks = new ArrayList<>(pieces);
        for (int p = 0; p < pieces; p++) {
            int from = (int) ((long) n * p / pieces);
            int to = (int) ((long) n * (p + 1) / pieces);
            tasks.add(new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(from, to);
                }
            });
        }
        pool.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                invokeAll(tasks);
            }
        });
    }

    /** {@link #forRange} for bodies that handle one index at a time. */
    public static void forEach(int n, long costPerItem, IntConsumer body) {
        forRange(n, costPerItem, (from, to) -> {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        });
    }
}
