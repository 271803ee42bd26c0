package vipgate.lb.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Variables of a request from 192.0.2.7:51000 to www.example.com on port 8080; the response values keep the
 * interface's defaults (no response yet) until a test sets them.
 */
public final class TestRequest implements RequestVariables {
    final Map<String, String> headers = new LinkedHashMap<>();
    int status;
    long requestNanos;
    String upstreamAddr = "10.0.0.1:80";
    String upstreamStatus = "";
    String upstreamTimes = "";
    String args = "";

    /** The query, $args. */
    public TestRequest args(String query) {
        args = query;
        return this;
    }

    public TestRequest header(String name, String value) {
        headers.put(name.toLowerCase(), value);
        return this;
    }

    @Override
    public String remoteAddr() {
        return "192.0.2.7";
    }

    @Override
    public int remotePort() {
        return 51000;
    }

    @Override
    public String host() {
        return "www.example.com";
    }

    @Override
    public int serverPort() {
        return 8080;
    }

    @Override
    public String requestUri() {
        return "/a?b=c";
    }

    @Override
    public String scheme() {
        return "http";
    }

    @Override
    public String proxyHost() {
        return "web";
    }

    @Override
    public String upstreamAddr() {
        return upstreamAddr;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public long bodyBytesSent() {
        return status == 0 ? 0 : 612;
    }

    @Override
    public long bytesSent() {
        return status == 0 ? 0 : 850;
    }

    @Override
    public String requestMethod() {
        return "GET";
    }

    @Override
    public String protocol() {
        return "HTTP/1.1";
    }

    @Override
    public long requestTimeNanos() {
        return requestNanos;
    }

    @Override
    public String upstreamStatus() {
        return upstreamStatus;
    }

    @Override
    public String upstreamConnectTime() {
        return upstreamTimes;
    }

    @Override
    public String upstreamHeaderTime() {
        return upstreamTimes;
    }

    @Override
    public String upstreamResponseTime() {
        return upstreamTimes;
    }

    @Override
    public String requestHeader(String name) {
        return headers.get(name.toLowerCase());
    }

    @Override
    public String uri() {
        return "/a b";
    }

    @Override
    public String args() {
        return args;
    }

    @Override
    public String capture(int n) {
        return n == 1 ? "one" : null;
    }

    @Override
    public String named(String name) {
        return name.equals("user_id") ? "42" : null;
    }
}
