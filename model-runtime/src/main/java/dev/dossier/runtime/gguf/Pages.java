package dev.dossier.runtime.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The operating system's page calls (Linux {@code mmap}, {@code munmap}, {@code madvise}) through
 * the foreign function API, for the weights: memory for repacked matrices on 2 MB pages, and file
 * pages given back once their tensor is repacked. Best effort throughout: where a call is missing
 * or refused, the caller falls back to ordinary memory, and only speed or resident memory is at
 * stake, never the data.
 */
final class Pages {
    static final long HUGE_PAGE = 2L << 20;
    private static final long SMALL_PAGE = 4096;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_DONTNEED = 4;
    private static final int MADV_HUGEPAGE = 14;
    /** The flag values above are Linux's; elsewhere no huge pages are asked for. */
    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");

    private static final MethodHandle MMAP = function("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = function("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle MADVISE = function("madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private Pages() {
    }

    /**
     * {@code bytes} of zeroed memory on 2 MB pages where the kernel grants them
     * ({@code madvise(MADV_HUGEPAGE)} before the first touch), unmapped when {@code arena} closes;
     * empty where the calls are missing or refused. Why: decoding streams every weight once per
     * token, and with 4 KB pages each 4 KB costs a page-table walk (two levels of them in a
     * virtual machine); on 2 MB pages the Q4_0 decode ran 13-15% faster (BENCHMARKS.md, session 8).
     */
    static Optional<MemorySegment> allocateHuge(long bytes, Arena arena) {
        if (!LINUX || MMAP == null || MUNMAP == null || MADVISE == null) {
            return Optional.empty();
        }
        try {
            long size = (bytes + 2 * HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE; // room to align the start
            MemorySegment mapped = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (mapped.address() == -1L) {
                return Optional.empty();
            }
            long start = (mapped.address() + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
            // Whole huge pages only: advising the tail too would make its last touch fault in a full 2 MB.
            int ignored = (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), bytes / HUGE_PAGE * HUGE_PAGE, MADV_HUGEPAGE);
            return Optional.of(MemorySegment.ofAddress(start).reinterpret(bytes, arena, segment -> unmap(mapped, size)));
        } catch (Throwable e) {
            return Optional.empty();
        }
    }

    /** Gives back the whole small pages of {@code [start, start + bytes)} ({@code madvise(MADV_DONTNEED)}). */
    static void release(long start, long bytes) {
        long first = (start + SMALL_PAGE - 1) / SMALL_PAGE * SMALL_PAGE;
        long end = (start + bytes) / SMALL_PAGE * SMALL_PAGE;
        if (MADVISE == null || end <= first) {
            return;
        }
        try {
            int ignored = (int) MADVISE.invokeExact(MemorySegment.ofAddress(first), end - first, MADV_DONTNEED);
        } catch (Throwable e) {
            // the pages stay until the kernel reclaims them
        }
    }

    private static void unmap(MemorySegment mapped, long size) {
        try {
            int ignored = (int) MUNMAP.invokeExact(mapped, size);
        } catch (Throwable e) {
            // the process keeps the address range; nothing else depends on it
        }
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find(name).map(address -> linker.downcallHandle(address, descriptor)).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
