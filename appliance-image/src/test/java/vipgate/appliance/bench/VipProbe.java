package vipgate.appliance.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The load client of {@link FailoverBench}, run as its own JVM inside the client's network namespace
 * ({@code ip netns exec C java -cp CP vipgate.appliance.bench.VipProbe HOST PORT ...}): one thread issuing
 * {@code GET /} to the VIP, a new TCP connection per request ({@code Connection: close}), connect and read timeout
 * each {@code timeoutMs}, at most one request started per {@code paceMicros} (so the probe resolves gaps to about
 * that and the failure count is "attempts that failed" at that rate).
 *
 * <p>Protocol on stdio: prints {@code READY} after the first successful response; then reads one line
 * {@code EVENT <epochMillis>} from stdin (the moment the bench hit the master box). It stops once it has seen
 * {@code settleMs} of uninterrupted success that ends at least {@code settleMs} after the event, or
 * {@code maxAfterMs} after the event, and prints one line of JSON:
 * {@code {"gapMs":..,"failed":..,"timedOut":..,"ok":..,"recoveredMs":..,"lastOkBeforeEventMs":..,"recovered":true}} where gapMs is
 * the longest interval between two consecutive successful responses among those spanning or following the event,
 * failed counts failed attempts from the event on, and recoveredMs is the time from the event to the first success
 * after the last failure.
 */
public final class VipProbe {
    private static final byte[] OK_PREFIX = "HTTP/1.1 200".getBytes(StandardCharsets.US_ASCII);
    private static final java.util.regex.Pattern CONTENT_LENGTH = java.util.regex.Pattern.compile("(?i)\r\ncontent-length:\\s*(\\d+)");

    private VipProbe() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int timeoutMs = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        long paceMicros = args.length > 3 ? Long.parseLong(args[3]) : 1000;
        long settleMs = args.length > 4 ? Long.parseLong(args[4]) : 2000;
        long maxAfterMs = args.length > 5 ? Long.parseLong(args[5]) : 10000;
        long maxWaitEventMs = 180_000;

        byte[] request = ("GET / HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: vipgate-failover-bench\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        InetSocketAddress vip = new InetSocketAddress(host, port);

        // the event time arrives on stdin, read by a side thread
        long[] event = {Long.MIN_VALUE};
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("EVENT ")) {
                        synchronized (event) {
                            event[0] = Long.parseLong(line.substring(6).trim()) * 1000;
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // the bench went away: the deadlines end the run
            }
        }, "stdin");
        reader.setDaemon(true);
        reader.start();

        long baseMicros = System.currentTimeMillis() * 1000;
        long baseNanos = System.nanoTime();
        long started = baseMicros;
        boolean ready = false;
        long lastOk = Long.MIN_VALUE;
        long lastFail = Long.MIN_VALUE;
        long eventMicros = Long.MIN_VALUE;
        long gap = 0;
        long okAfter = 0;
        long failedAfter = 0;
        long timedOutAfter = 0;
        long lastOkBeforeEvent = Long.MIN_VALUE;
        boolean everFailedAfter = false;
        long firstOkAfterLastFail = Long.MIN_VALUE;
        long next = System.nanoTime();
        boolean recovered;
        while (true) {
            long now = baseMicros + (System.nanoTime() - baseNanos) / 1000;
            if (eventMicros == Long.MIN_VALUE) {
                synchronized (event) {
                    eventMicros = event[0];
                }
                if (eventMicros != Long.MIN_VALUE) {
                    lastOkBeforeEvent = lastOk;
                } else if (now - started > maxWaitEventMs * 1000) {
                    System.out.println("{\"error\":\"no EVENT within " + maxWaitEventMs + " ms\"}");
                    System.exit(2);
                }
            }
            if (eventMicros != Long.MIN_VALUE) {
                long sinceEvent = now - eventMicros;
                boolean settled = sinceEvent >= settleMs * 1000 && lastOk > lastFail
                        && (lastFail == Long.MIN_VALUE || now - lastFail >= settleMs * 1000);
                if (settled || sinceEvent >= maxAfterMs * 1000) {
                    recovered = settled;
                    if (!settled) {
                        // no recovery: the gap runs to the end of the observation
                        gap = Math.max(gap, now - lastOk);
                    }
                    break;
                }
            }

            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            next = Math.max(next + paceMicros * 1000, System.nanoTime());

            Outcome outcome = attempt(vip, request, timeoutMs);
            boolean ok = outcome == Outcome.OK;
            long t = baseMicros + (System.nanoTime() - baseNanos) / 1000;
            if (ok) {
                if (!ready) {
                    ready = true;
                    System.out.println("READY");
                    System.out.flush();
                }
                if (eventMicros != Long.MIN_VALUE && lastOk != Long.MIN_VALUE) {
                    gap = Math.max(gap, t - lastOk);
                }
                if (eventMicros != Long.MIN_VALUE) {
                    okAfter++;
                    if (everFailedAfter && lastFail > lastOk) {
                        firstOkAfterLastFail = t;
                    }
                }
                lastOk = t;
            } else {
                lastFail = t;
                if (eventMicros != Long.MIN_VALUE) {
                    failedAfter++;
                    everFailedAfter = true;
                    if (outcome == Outcome.TIMEOUT) {
                        timedOutAfter++;
                    }
                }
            }
        }
        double recoveredMs = !everFailedAfter ? 0 : firstOkAfterLastFail == Long.MIN_VALUE ? -1
                : (firstOkAfterLastFail - eventMicros) / 1000.0;
        double beforeMs = lastOkBeforeEvent == Long.MIN_VALUE ? -1 : (eventMicros - lastOkBeforeEvent) / 1000.0;
        System.out.println(String.format(Locale.ROOT,
                "{\"gapMs\":%.1f,\"failed\":%d,\"timedOut\":%d,\"ok\":%d,\"recoveredMs\":%.1f,\"lastOkBeforeEventMs\":%.1f,\"recovered\":%s}",
                gap / 1000.0, failedAfter, timedOutAfter, okAfter, recoveredMs, beforeMs, recovered));
        System.out.flush();
        System.exit(0);
    }

    /** A response head and a body of its Content-Length are in {@code buf}. */
    private static boolean complete(byte[] buf, int len) {
        String text = new String(buf, 0, len, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        java.util.regex.Matcher m = CONTENT_LENGTH.matcher(text.substring(0, end));
        return m.find() && len >= end + 4 + Integer.parseInt(m.group(1));
    }

    /** How an attempt ended: a timeout (nobody answered in time) tells a lost SYN or a slow box from a reset. */
    private enum Outcome { OK, TIMEOUT, FAILED }

    /** One GET on a fresh connection; OK on a 200 whose body is a web node's. */
    private static Outcome attempt(InetSocketAddress vip, byte[] request, int timeoutMs) {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(vip, timeoutMs);
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int len = 0;
            int n;
            // done when the response is complete (as any HTTP client: the box that answered may reset the
            // connection after that, e.g. when the VIP moved meanwhile and the client's ACK went to the new master)
            while (len < buf.length && !complete(buf, len) && (n = in.read(buf, len, buf.length - len)) > 0) {
                len += n;
            }
            if (len < OK_PREFIX.length) {
                return Outcome.FAILED;
            }
            for (int i = 0; i < OK_PREFIX.length; i++) {
                if (buf[i] != OK_PREFIX[i]) {
                    return Outcome.FAILED;
                }
            }
            return new String(buf, 0, len, StandardCharsets.ISO_8859_1).contains("HTTP WEB NODE") ? Outcome.OK : Outcome.FAILED;
        } catch (java.net.SocketTimeoutException e) {
            return Outcome.TIMEOUT;
        } catch (IOException e) {
            return Outcome.FAILED;
        }
    }
}
