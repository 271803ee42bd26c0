package vipgate.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads a configuration file whole, after making sure it is one: a directory, a FIFO, a device, a symbolic link loop
 * or a huge file each get their own reason, and nothing is opened that could block (a FIFO without a writer) or never
 * end (/dev/zero).
 */
final class ConfigFiles {
    /** Far above any real configuration; bounds what a mistaken path can make the parser hold. */
    static final long MAX_BYTES = 16L << 20;

    private ConfigFiles() {
    }

    /** Why a file cannot be read, said of the file ("a directory, not a file"); {@code missing} when nothing is there. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean missing;

        Unreadable(String reason, boolean missing) {
            super(reason, null, false, false);
            this.missing = missing;
        }
    }

    /**
     * What all files of one configuration may add up to, so that includes fanning out (a includes b ten times, b
     * includes c ten times...) are bounded as one file is.
     */
    static final class Budget {
        private long left = MAX_BYTES;

        /** Counts {@code text}; false when it takes the configuration over the limit. */
        boolean spend(String text) {
            left -= text.length();
            return left >= 0;
        }
    }

    static String read(Path file) throws Unreadable {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new Unreadable(Files.isSymbolicLink(file) ? "a symbolic link to " + target(file) + ", which does not exist"
                    : "no such file", true);
        } catch (IOException e) {
            throw new Unreadable(reason(e), false);
        }
        if (attributes.isDirectory()) {
            throw new Unreadable("a directory, not a file", false);
        }
        if (!attributes.isRegularFile()) {
            throw new Unreadable("not a regular file (a FIFO, socket or device); configuration is read from regular files only", false);
        }
        if (attributes.size() > MAX_BYTES) {
            throw new Unreadable("larger than a configuration can be (" + attributes.size() + " bytes, the limit is " + MAX_BYTES + ")", false);
        }
        try (InputStream in = Files.newInputStream(file)) {
            // bounded again: the file may have grown since it was measured
            byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new Unreadable("larger than a configuration can be (the limit is " + MAX_BYTES + " bytes)", false);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Unreadable(reason(e), false);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            // ELOOP comes as "Too many levels of symbolic links or unable to access attributes of symbolic link"
            return f.getReason().startsWith("Too many levels of symbolic links")
                    ? "a symbolic link loop (too many levels of symbolic links)" : "unreadable: " + f.getReason();
        }
        return "unreadable: " + e;
    }

    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "a missing file";
        }
    }
}
