package vipgate.lb.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads what nginx's ssl_certificate and ssl_certificate_key accept: PEM certificates, and a private key as PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 RSA ({@code RSA PRIVATE KEY}) or SEC1 EC ({@code EC PRIVATE KEY}), in the clear or
 * encrypted (PKCS#8 {@code ENCRYPTED PRIVATE KEY}, or OpenSSL's legacy {@code Proc-Type: 4,ENCRYPTED} headers).
 * Every failure is an {@link IllegalArgumentException} whose message says what to do. Pure (no files).
 */
public final class Pem {
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    private Pem() {
    }

    /** One {@code -----BEGIN label-----} ... {@code -----END label-----} block, its headers and decoded bytes. */
    record Block(String label, Map<String, String> headers, byte[] der) {
    }

    /** Every PEM block of {@code text}, in order; text between blocks is ignored, as OpenSSL does. */
    static List<Block> blocks(String text) {
        List<Block> out = new ArrayList<>();
        String label = null;
        Map<String, String> headers = new LinkedHashMap<>();
        StringBuilder body = new StringBuilder();
        int lineNumber = 0;
        for (String raw : text.split("\n", -1)) {
            lineNumber++;
            String line = raw.strip();
            if (label == null) {
                if (line.startsWith(BEGIN) && line.endsWith(DASHES) && line.length() > BEGIN.length() + DASHES.length()) {
                    label = line.substring(BEGIN.length(), line.length() - DASHES.length());
                    headers = new LinkedHashMap<>();
                    body.setLength(0);
                }
                continue;
            }
            if (line.startsWith(END)) {
                String endLabel = line.endsWith(DASHES) ? line.substring(END.length(), line.length() - DASHES.length()) : "";
                if (!endLabel.equals(label)) {
                    throw new IllegalArgumentException("line " + lineNumber + ": '" + line + "' does not close BEGIN " + label);
                }
                byte[] der;
                try {
                    // strict: a stray character is a damaged file, not something to skip (lines are already stripped)
                    der = Base64.getDecoder().decode(body.toString());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("the " + label + " block ending at line " + lineNumber
                            + " is not valid base64: " + e.getMessage());
                }
                out.add(new Block(label, Map.copyOf(headers), der));
                label = null;
            } else if (line.startsWith(BEGIN)) {
                throw new IllegalArgumentException("line " + lineNumber + ": a new BEGIN inside the " + label + " block");
            } else if (line.indexOf(':') > 0 && body.length() == 0) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            } else {
                body.append(line);
            }
        }
        if (label != null) {
            throw new IllegalArgumentException("the " + label + " block has no -----END " + label + "----- line");
        }
        return out;
    }

    /** The certificates of {@code text} in the order written (the server's first, then its intermediates). */
    public static List<X509Certificate> certificates(String text) {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JVM has no X.509 support", e);
        }
        for (Block b : blocks(text)) {
            if (!b.label().equals("CERTIFICATE") && !b.label().equals("TRUSTED CERTIFICATE")) {
                continue;
            }
            try {
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
            } catch (CertificateException e) {
                throw new IllegalArgumentException("certificate " + (out.size() + 1) + " cannot be parsed: " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no certificate found: expected a PEM block -----BEGIN CERTIFICATE-----");
        }
        return List.copyOf(out);
    }

    /**
     * The one private key of {@code text}. {@code passphrases} (the lines of a password file, tried in turn) decrypt an
     * encrypted key; an encrypted key without them is refused.
     */
    public static PrivateKey privateKey(String text, List<String> passphrases) {
        Block key = null;
        byte[] ecParameters = null;
        for (Block b : blocks(text)) {
            switch (b.label()) {
                case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY" -> {
                    if (key != null) {
                        throw new IllegalArgumentException("more than one private key; keep only the certificate's own");
                    }
                    key = b;
                }
                // openssl ecparam -genkey writes the curve before the key; a SEC1 key without [0] parameters needs it
                case "EC PARAMETERS" -> ecParameters = b.der();
                default -> { }
            }
        }
        if (key == null) {
            throw new IllegalArgumentException("no private key found: expected a PEM block -----BEGIN PRIVATE KEY-----, "
                    + "-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----");
        }
        return switch (key.label()) {
            case "PRIVATE KEY" -> pkcs8(key.der());
            case "ENCRYPTED PRIVATE KEY" -> pkcs8(decryptPkcs8(key.der(), passphrases));
            default -> {
                byte[] der = key.der();
                if ("4,ENCRYPTED".equals(key.headers().get("Proc-Type"))) {
                    der = decryptLegacy(key.headers().get("DEK-Info"), der, passphrases);
                }
                yield key.label().equals("RSA PRIVATE KEY") ? pkcs8(pkcs1ToPkcs8(der)) : pkcs8(sec1ToPkcs8(der, ecParameters));
            }
        };
    }

    /** PKCS#1 RSAPrivateKey is PKCS#8's inner key for rsaEncryption (parameters NULL). */
    static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        // a sanity look: a SEQUENCE starting with version 0 (two-prime), so garbage is reported here, not as a JDK error
        Der.Element seq = Der.Reader.of(pkcs1).next(Der.SEQUENCE, "RSA PRIVATE KEY");
        seq.children().next(Der.INTEGER, "RSA PRIVATE KEY version");
        return Der.privateKeyInfo(Der.RSA_ENCRYPTION, Der.encode(Der.NULL), pkcs1);
    }

    /** SEC1 ECPrivateKey is PKCS#8's inner key for id-ecPublicKey, whose parameters name the curve. */
    static byte[] sec1ToPkcs8(byte[] sec1, byte[] separateParameters) {
        Der.Reader fields = Der.Reader.of(sec1).next(Der.SEQUENCE, "EC PRIVATE KEY").children();
        fields.next(Der.INTEGER, "EC PRIVATE KEY version");
        fields.next(Der.OCTET_STRING, "EC PRIVATE KEY value");
        byte[] curve = null;
        while (fields.hasNext()) {
            Der.Element e = fields.next();
            if (e.tag() == Der.CONTEXT_0) {
                Der.Element oid = e.children().next(Der.OID, "EC PRIVATE KEY curve");
                curve = Der.encode(Der.OID, oid.value());
            }
        }
        if (curve == null && separateParameters != null) {
            curve = Der.encode(Der.OID, Der.Reader.of(separateParameters).next(Der.OID, "EC PARAMETERS").value());
        }
        if (curve == null) {
            throw new IllegalArgumentException("the EC PRIVATE KEY does not name its curve; write it with "
                    + "`openssl pkcs8 -topk8 -nocrypt` or `openssl ec -param_enc named_curve`");
        }
        return Der.privateKeyInfo(Der.EC_PUBLIC_KEY, curve, sec1);
    }

    private static PrivateKey pkcs8(byte[] der) {
        Der.Reader fields = Der.Reader.of(der).next(Der.SEQUENCE, "PRIVATE KEY").children();
        fields.next(Der.INTEGER, "PRIVATE KEY version");
        byte[] oid = fields.next(Der.SEQUENCE, "PRIVATE KEY algorithm").children().next(Der.OID, "PRIVATE KEY algorithm").value();
        String algorithm = switch (oidText(oid)) {
            case "1.2.840.113549.1.1.1" -> "RSA";
            case "1.2.840.10045.2.1" -> "EC";
            case "1.2.840.113549.1.1.10" -> "RSASSA-PSS";
            case "1.3.101.112" -> "Ed25519";
            case "1.3.101.113" -> "Ed448";
            default -> throw new IllegalArgumentException("unsupported key algorithm " + oidText(oid) + "; use RSA or ECDSA");
        };
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the " + algorithm + " private key cannot be read: " + e.getMessage());
        }
    }

    private static byte[] decryptPkcs8(byte[] der, List<String> passphrases) {
        requirePassphrases(passphrases);
        EncryptedPrivateKeyInfo info;
        String algorithm;
        try {
            info = new EncryptedPrivateKeyInfo(der);
            AlgorithmParameters parameters = info.getAlgParameters();
            algorithm = info.getAlgName();
            // PBES2 (openssl's default) names its real scheme only in the parameters: "PBEWithHmacSHA256AndAES_256"
            if (parameters != null && (algorithm.equals("PBES2") || algorithm.equals("1.2.840.113549.1.5.13"))) {
                algorithm = parameters.toString();
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the ENCRYPTED PRIVATE KEY cannot be parsed: " + e.getMessage());
        }
        for (String passphrase : passphrases) {
            try {
                SecretKeyFactory factory = SecretKeyFactory.getInstance(algorithm);
                Cipher cipher = Cipher.getInstance(algorithm);
                cipher.init(Cipher.DECRYPT_MODE, factory.generateSecret(new PBEKeySpec(passphrase.toCharArray())),
                        info.getAlgParameters());
                return info.getKeySpec(cipher).getEncoded();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalArgumentException("the key is encrypted with " + algorithm + ", which this JVM cannot "
                        + "decrypt; re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`");
            } catch (GeneralSecurityException e) {
                // wrong passphrase: the next one may fit
            }
        }
        throw wrongPassphrase(passphrases);
    }

    /** OpenSSL's traditional encryption: DEK-Info names the cipher and IV; the key is EVP_BytesToKey(MD5). */
    private static byte[] decryptLegacy(String dekInfo, byte[] der, List<String> passphrases) {
        requirePassphrases(passphrases);
        if (dekInfo == null || dekInfo.indexOf(',') < 0) {
            throw new IllegalArgumentException("the encrypted key has no DEK-Info header naming its cipher");
        }
        String name = dekInfo.substring(0, dekInfo.indexOf(',')).strip().toUpperCase(Locale.ROOT);
        byte[] iv;
        try {
            iv = HexFormat.of().parseHex(dekInfo.substring(dekInfo.indexOf(',') + 1).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the DEK-Info IV is not hexadecimal");
        }
        String transformation;
        String keyAlgorithm;
        int keyLength;
        switch (name) {
            case "AES-128-CBC" -> { transformation = "AES/CBC/PKCS5Padding"; keyAlgorithm = "AES"; keyLength = 16; }
            case "AES-192-CBC" -> { transformation = "AES/CBC/PKCS5Padding"; keyAlgorithm = "AES"; keyLength = 24; }
            case "AES-256-CBC" -> { transformation = "AES/CBC/PKCS5Padding"; keyAlgorithm = "AES"; keyLength = 32; }
            case "DES-EDE3-CBC" -> { transformation = "DESede/CBC/PKCS5Padding"; keyAlgorithm = "DESede"; keyLength = 24; }
            default -> throw new IllegalArgumentException("the key is encrypted with " + name + ", which is not supported; "
                    + "re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`");
        }
        if (iv.length < 8) {
            throw new IllegalArgumentException("the DEK-Info IV is too short");
        }
        for (String passphrase : passphrases) {
            try {
                byte[] key = bytesToKey(passphrase.getBytes(StandardCharsets.UTF_8), iv, keyLength);
                Cipher cipher = Cipher.getInstance(transformation);
                cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, keyAlgorithm), new IvParameterSpec(iv));
                byte[] plain = cipher.doFinal(der);
                // padding checks pass by chance for 1 in 256 wrong passphrases: the result must also be DER
                Der.Reader.of(plain).next(Der.SEQUENCE, "decrypted key");
                return plain;
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // wrong passphrase: the next one may fit
            }
        }
        throw wrongPassphrase(passphrases);
    }

    /** OpenSSL's EVP_BytesToKey with MD5, one iteration, the first 8 IV bytes as salt. */
    static byte[] bytesToKey(byte[] passphrase, byte[] iv, int length) throws GeneralSecurityException {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        byte[] out = new byte[length];
        byte[] previous = new byte[0];
        int filled = 0;
        while (filled < length) {
            md5.update(previous);
            md5.update(passphrase);
            md5.update(iv, 0, 8);
            previous = md5.digest();
            int n = Math.min(previous.length, length - filled);
            System.arraycopy(previous, 0, out, filled, n);
            filled += n;
        }
        return out;
    }

    private static void requirePassphrases(List<String> passphrases) {
        if (passphrases.isEmpty()) {
            throw new IllegalArgumentException("the private key is encrypted; name a file with its passphrase in "
                    + "password-file (or store the key decrypted, readable by root only)");
        }
    }

    private static IllegalArgumentException wrongPassphrase(List<String> passphrases) {
        return new IllegalArgumentException(passphrases.size() == 1 ? "the passphrase of password-file does not decrypt the key"
                : "none of the " + passphrases.size() + " passphrases of password-file decrypts the key");
    }

    /** Dotted form of a DER OID value, for messages and lookups. */
    static String oidText(byte[] oid) {
        if (oid.length == 0) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        out.append((oid[0] & 0xFF) / 40).append('.').append((oid[0] & 0xFF) % 40);
        long value = 0;
        for (int i = 1; i < oid.length; i++) {
            value = (value << 7) | (oid[i] & 0x7F);
            if ((oid[i] & 0x80) == 0) {
                out.append('.').append(value);
                value = 0;
            }
        }
        return out.toString();
    }
}
