package dev.dossier.runtime.attention;

/**
 * Rotary position embedding in GGML's "normal" mode (used by Llama): adjacent pairs
 * {@code (x[2i], x[2i+1])} of each head are rotated by {@code pos * base^(-2i/d)}.
 * Cosines and sines are tabulated once per position; under DCA positions never exceed CS.
 */
public final class Rope {
    private final int headSize;
    private final int rotatedDimensions;
    private final int positions;
    private final float[] cos;
    private final float[] sin;

    public Rope(int headSize, int rotatedDimensions, float base, int positions) {
        if (rotatedDimensions > headSize || rotatedDimensions % 2 != 0) {
            throw new IllegalArgumentException("rope dimensions " + rotatedDimensions + " do not fit head size " + headSize);
        }
        this.headSize = headSize;
        this.rotatedDimensions = rotatedDimensions;
        this.positions = positions;
        int pairs = rotatedDimensions / 2;
        this.cos = new float[positions * pairs];
        this.sin = new float[positions * pairs];
        for (int pos = 0; pos < positions; pos++) {
            for (int i = 0; i < pairs; i++) {
                double angle = pos * Math.pow(base, -2.0 * i / rotatedDimensions);
                cos[pos * pairs + i] = (float) Math.cos(angle);
                sin[pos * pairs + i] = (float) Math.sin(angle);
            }
        }
    }

    public int positions() {
        return positions;
    }

    public int rotatedDimensions() {
        return rotatedDimensions;
    }

    /** The cosine table, {@code positions x rotatedDimensions/2}, for engines that rotate elsewhere. */
    public float[] cosines() {
        return cos.clone();
    }

    /** The sine table, laid out as {@link #cosines()}. */
    public float[] sines() {
        return sin.clone();
    }

    /** Rotates {@code heads} consecutive heads of {@code x}, starting at {@code offset}, to {@code position}. */
    public void rotate(float[] x, int offset, int heads, int position) {
        rotate(x, offset, x, offset, heads, position);
    }

    /** Writes {@code from} rotated to {@code position} into {@code to} (they may be the same array). */
    public void rotate(float[] from, int fromOffset, float[] to, int toOffset, int heads, int position) {
        if (position >= positions) {
            throw new IllegalArgumentException("position " + position + " is beyond the rotary table (" + positions + ")");
        }
        int pairs = rotatedDimensions / 2;
        int table = position * pairs;
        for (int h = 0; h < heads; h++) {
            int src = fromOffset + h * headSize;
            int dst = toOffset + h * headSize;
            for (int i = 0; i < pairs; i++) {
                float c = cos[table + i];
                float s = sin[table + i];
                float x0 = from[src + 2 * i];
                float x1 = from[src + 2 * i + 1];
                to[dst + 2 * i] = x0 * c - x1 * s;
                to[dst + 2 * i + 1] = x0 * s + x1 * c;
            }
            if (from != to || src != dst) {
                System.arraycopy(from, src + rotatedDimensions, to, dst + rotatedDimensions, headSize - rotatedDimensions);
            }
        }
    }
}
