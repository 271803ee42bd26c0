package vipgate.lb.tls;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The few DER pieces needed to turn a PKCS#1 or SEC1 key into PKCS#8 (the only form the JDK reads): reading one
 * tag-length-value, and writing one. Lengths are checked against the input, so a truncated or hostile file is an
 * {@link IllegalArgumentException}, never an out-of-bounds read. Pure.
 */
final class Der {
    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** [0] constructed: SEC1's ECParameters. */
    static final int CONTEXT_0 = 0xA0;

    /** rsaEncryption, 1.2.840.113549.1.1.1. */
    static final byte[] RSA_ENCRYPTION = {0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01};
    /** id-ecPublicKey, 1.2.840.10045.2.1. */
    static final byte[] EC_PUBLIC_KEY = {0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};

    private Der() {
    }

    /** One element: its tag, and where its value lies in {@code input}. */
    record Element(int tag, byte[] input, int start, int end) {
        byte[] value() {
            return Arrays.copyOfRange(input, start, end);
        }

        /** The elements inside this one's value (of a SEQUENCE or [0]). */
        Reader children() {
            return new Reader(input, start, end);
        }
    }

    /** Reads consecutive elements of {@code input[from, to)}. */
    static final class Reader {
        private final byte[] input;
        private final int to;
        private int pos;

        Reader(byte[] input, int from, int to) {
            this.input = input;
            this.pos = from;
            this.to = to;
        }

        static Reader of(byte[] input) {
            return new Reader(input, 0, input.length);
        }

        boolean hasNext() {
            return pos < to;
        }

        Element next() {
            if (pos + 2 > to) {
                throw new IllegalArgumentException("truncated DER element at byte " + pos);
            }
            int tag = input[pos++] & 0xFF;
            int first = input[pos++] & 0xFF;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int bytes = first & 0x7F;
                if (bytes == 0 || bytes > 4) {
                    throw new IllegalArgumentException("unsupported DER length form at byte " + (pos - 1));
                }
                if (pos + bytes > to) {
                    throw new IllegalArgumentException("truncated DER length at byte " + pos);
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (input[pos++] & 0xFF);
                }
            }
            if (length > to - pos) {
                throw new IllegalArgumentException("DER element at byte " + pos + " claims " + length + " bytes, "
                        + (to - pos) + " are left");
            }
            Element e = new Element(tag, input, pos, pos + (int) length);
            pos += (int) length;
            return e;
        }

        /** The next element, which must have tag {@code tag}. */
        Element next(int tag, String what) {
            Element e = next();
            if (e.tag() != tag) {
                throw new IllegalArgumentException(what + ": expected DER tag 0x" + Integer.toHexString(tag) + ", got 0x"
                        + Integer.toHexString(e.tag()));
            }
            return e;
        }
    }

    /** One element with a definite length (short or long form). */
    static byte[] encode(int tag, byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xFFFFFF ? 4 : length > 0xFFFF ? 3 : length > 0xFF ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * PKCS#8 PrivateKeyInfo: version 0, the algorithm (with its parameters element, already encoded) and the key
     * as an OCTET STRING.
     */
    static byte[] privateKeyInfo(byte[] algorithmOid, byte[] parameters, byte[] key) {
        return encode(SEQUENCE, encode(INTEGER, new byte[] {0}), encode(SEQUENCE, encode(OID, algorithmOid), parameters),
                encode(OCTET_STRING, key));
    }
}
