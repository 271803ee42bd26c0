package vipgate.lb.tls;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * What a ClientHello offers that decides between a server's RSA and ECDSA certificates, as OpenSSL decides for nginx
 * with two ssl_certificate's: whether TLS 1.3 is offered, the cipher suites, the signature schemes and the groups
 * (RFC 8446 4.1.2, RFC 5246 7.4.1.2). Read from the ClientHello body (after the 4-byte handshake header) with every
 * length checked: a malformed hello gives null, and the TLS library then refuses it properly. Immutable.
 *
 * @param signatureSchemes null when the client sent no signature_algorithms (TLS 1.2 allows that)
 * @param groups null when the client sent no supported_groups
 */
public record ClientHelloOffer(boolean tls13, List<Integer> cipherSuites, List<Integer> signatureSchemes, List<Integer> groups) {
    static final int SUPPORTED_GROUPS = 10;
    static final int SIGNATURE_ALGORITHMS = 13;
    static final int SUPPORTED_VERSIONS = 43;
    static final int TLS13 = 0x0304;

    /** The offer of {@code body}, or null when it is not a well-formed ClientHello. */
    public static ClientHelloOffer parse(ByteBuf body) {
        try {
            return read(body.duplicate());
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            return null;
        }
    }

    private static ClientHelloOffer read(ByteBuf in) {
        in.skipBytes(2 + 32); // legacy_version, random
        in.skipBytes(in.readUnsignedByte()); // legacy_session_id
        List<Integer> suites = shorts(in.readSlice(in.readUnsignedShort()));
        in.skipBytes(in.readUnsignedByte()); // legacy_compression_methods
        boolean tls13 = false;
        List<Integer> schemes = null;
        List<Integer> groups = null;
        if (in.isReadable()) {
            ByteBuf extensions = in.readSlice(in.readUnsignedShort());
            while (extensions.isReadable()) {
                int type = extensions.readUnsignedShort();
                ByteBuf data = extensions.readSlice(extensions.readUnsignedShort());
                switch (type) {
                    case SUPPORTED_VERSIONS -> tls13 = shorts(data.readSlice(data.readUnsignedByte())).contains(TLS13);
                    case SIGNATURE_ALGORITHMS -> schemes = shorts(data.readSlice(data.readUnsignedShort()));
                    case SUPPORTED_GROUPS -> groups = shorts(data.readSlice(data.readUnsignedShort()));
                    default -> { }
                }
            }
        }
        return new ClientHelloOffer(tls13, suites, schemes, groups);
    }

    private static List<Integer> shorts(ByteBuf in) {
        if (in.readableBytes() % 2 != 0) {
            throw new IllegalArgumentException("odd length of a list of 16-bit values");
        }
        List<Integer> out = new ArrayList<>(in.readableBytes() / 2);
        while (in.isReadable()) {
            out.add(in.readUnsignedShort());
        }
        return List.copyOf(out);
    }
}
