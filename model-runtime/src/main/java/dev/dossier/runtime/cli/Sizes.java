package dev.dossier.runtime.cli;

import java.util.Locale;

/** Numbers formatted for people. */
final class Sizes {
    private Sizes() {
    }

    /** {@code 1.1 MB}: decimal units, one decimal. */
    static String bytes(long count) {
        String[] units = {"bytes", "kB", "MB", "GB", "TB"};
        double value = count;
        int unit = 0;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? count + " bytes" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static String rate(double tokensPerSecond) {
        return String.format(Locale.ROOT, "%.1f tokens/s", tokensPerSecond);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
}
