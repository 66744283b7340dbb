package dev.dossier.runtime.compute;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * One fixed set of worker threads, sized to the cores, shared by every kernel. A job's range is
 * cut into pieces, and each thread (the caller is thread 0) owns a contiguous share of them: it
 * works through its share in order, so it reads one stream of rows that the CPU's prefetcher
 * follows, then takes the last pieces of shares still unfinished, so a thread that falls behind
 * does less. Small jobs run on the caller. (Pieces taken in turn from one counter made each
 * thread's rows jump from piece to piece: decoding was 5-7% slower, BENCHMARKS.md session 8.)
 *
 * <p>Workers spin for a while after each job before they park. Decoding runs about 150 short
 * products per token (under a millisecond each), and waking a parked thread costs tens to
 * hundreds of microseconds on a virtual machine: with a pool that parks at once the second core
 * gave decoding almost nothing (see BENCHMARKS.md). Native engines spin their workers the same way.
 */
public final class Parallel {
    /** How long an idle worker keeps polling for the next job before it parks. */
    private static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /**
     * Pieces per thread. A thread that finishes its share first waits for at most the other's
     * last piece; decoding's products (under a millisecond) keep 4, where finer pieces did not pay
     * (BENCHMARKS.md, session 10), but a large job (prefill's products, hundreds of panels each)
     * gets 16: prefill 77 -> 80 tok/s (session 12).
     */
    private static final int PIECES_PER_THREAD = 4;
    private static final int PIECES_PER_THREAD_LARGE = 16;
    /** Operations ({@code n x costPerItem}) from which a job is large: above the output projection's 65 million. */
    private static final long LARGE_JOB = 1L << 26;

    private static volatile Pool POOL = new Pool(Integer.getInteger("dossier.threads", Runtime.getRuntime().availableProcessors()));

    private Parallel() {
    }

    public static int threads() {
        return POOL.threads;
    }

    /**
     * Replaces the pool with one of {@code threads} threads, the caller included (for tools such
     * as {@code bench}); call it only while no kernel runs.
     */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (threads == POOL.threads) {
            return;
        }
        Pool old = POOL;
        POOL = new Pool(threads);
        old.shutdown();
    }

    /** A body over the index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, n)} in parallel when the work is worth it:
     * {@code costPerItem} is a rough count of operations per index. A call made while the pool
     * is busy (from inside a body, or from a second session) runs on its caller alone.
     */
    public static void forRange(int n, long costPerItem, RangeBody body) {
        Pool pool = POOL;
        if (pool.threads == 1 || n < 2 || (long) n * costPerItem < 32_768
                || pool.lock.isHeldByCurrentThread() || !pool.lock.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            int piecesPerThread = (long) n * costPerItem > LARGE_JOB ? PIECES_PER_THREAD_LARGE : PIECES_PER_THREAD;
            pool.run(new Job(n, Math.min(n, pool.threads * piecesPerThread), pool.threads, body));
        } finally {
            pool.lock.unlock();
        }
    }

    /** {@link #forRange} for bodies that handle one index at a time. */
    public static void forEach(int n, long costPerItem, IntConsumer body) {
        forRange(n, costPerItem, (from, to) -> {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        });
    }

    /** One call's range, cut into pieces, one contiguous share of them per thread. */
    private static final class Job {
        private final int n;
        private final int pieces;
        private final RangeBody body;
        /** Per share, the pieces not yet taken: first in the high 32 bits, end in the low ones. */
        private final AtomicLongArray shares;
        private final AtomicInteger unfinished;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(int n, int pieces, int threads, RangeBody body) {
            this.n = n;
            this.pieces = pieces;
            this.body = body;
            this.shares = new AtomicLongArray(threads);
            for (int s = 0; s < threads; s++) {
                shares.set(s, (long) (pieces * s / threads) << 32 | pieces * (s + 1) / threads);
            }
            this.unfinished = new AtomicInteger(pieces);
        }

        /**
         * Runs thread {@code share}'s own pieces front to back, then the others' last ones, until
         * none is left; a failed piece still counts as finished, so the caller never hangs.
         */
        void work(int share) {
            for (int p; (p = take(share, true)) >= 0; ) {
                run(p);
            }
            for (int other = 1; other < shares.length(); other++) {
                int victim = (share + other) % shares.length();
                for (int p; (p = take(victim, false)) >= 0; ) {
                    run(p);
                }
            }
        }

        /** The next piece of {@code share}, from its front (its owner) or its back (a helper); -1 if none is left. */
        private int take(int share, boolean front) {
            while (true) {
                long bounds = shares.get(share);
                int first = (int) (bounds >>> 32);
                int end = (int) bounds;
                if (first >= end) {
                    return -1;
                }
                long rest = front ? (long) (first + 1) << 32 | end : (long) first << 32 | (end - 1);
                if (shares.compareAndSet(share, bounds, rest)) {
                    return front ? first : end - 1;
                }
            }
        }

        private void run(int p) {
            try {
                if (failure.get() == null) {
                    body.run((int) ((long) n * p / pieces), (int) ((long) n * (p + 1) / pieces));
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                unfinished.decrementAndGet();
            }
        }

        boolean finished() {
            return unfinished.get() == 0;
        }
    }

    private static final class Pool {
        final int threads;
        final ReentrantLock lock = new ReentrantLock();
        private final Worker[] workers;
        private volatile Job current;
        private volatile boolean shutdown;

        Pool(int threads) {
            this.threads = threads;
            this.workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(i + 1);
                workers[i].start();
            }
        }

        /** Publishes the job, works on it alongside the workers, and returns when every piece is done. */
        void run(Job job) {
            current = job;
            for (Worker worker : workers) {
                if (worker.parked) {
                    LockSupport.unpark(worker);
                }
            }
            job.work(0);
            while (!job.finished()) {
                Thread.onSpinWait();
            }
            current = null;
            Throwable failure = job.failure.get();
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
        }

        void shutdown() {
            shutdown = true;
            for (Worker worker : workers) {
                LockSupport.unpark(worker);
            }
        }

        private final class Worker extends Thread {
            /** Set just before parking; the caller unparks only workers that may be parked. */
            volatile boolean parked;
            /** Which share of each job is this worker's own (the caller's is 0). */
            private final int share;

            Worker(int index) {
                super("dossier-worker-" + index);
                this.share = index;
                setDaemon(true);
            }

            @Override
            public void run() {
                Job done = null;
                while (!shutdown) {
                    Job job = awaitJob(done);
                    if (job != null) {
                        job.work(share);
                        done = job;
                    }
                }
            }

            /** The next job other than {@code done}: polled for {@link #SPIN_NANOS}, then waited for parked. Null on shutdown. */
            private Job awaitJob(Job done) {
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                while (!shutdown) {
                    Job job = current;
                    if (job != null && job != done) {
                        return job;
                    }
                    if (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                        continue;
                    }
                    // Announce the park before the last look at current: the caller writes current,
                    // then reads parked, so one of the two sees the other.
                    parked = true;
                    job = current;
                    if (job == null || job == done) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                }
                return null;
            }
        }
    }
}
