package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// leanClient times GET requests as a load generator does (wrk, say): one
// kept-alive connection, each request written and its answer read by the
// caller itself. net/http's client hands every request to two goroutines
// of its connection and back, which on the 2-core machine of the
// benchmarks cost about 50 µs a request: the client's, not the server's.
type leanClient struct {
	addr string // host:port
	conn net.Conn
	r    *bufio.Reader
}

// get sends GET path with the header lines given ("Name: value") and
// reads the whole answer, which must have a Content-Length or be chunked.
func (c *leanClient) get(path string, header ...string) (int, []byte, error) {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return 0, nil, err
		}
		c.conn, c.r = conn, bufio.NewReaderSize(conn, 64<<10)
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: " + c.addr + "\r\n"
	for _, h := range header {
		req += h + "\r\n"
	}
	if _, err := io.WriteString(c.conn, req+"\r\n"); err != nil {
		c.reset()
		return 0, nil, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.reset()
		return 0, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.reset()
	}
	if err != nil {
		return 0, nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return resp.StatusCode, body, nil
}

// reset drops the connection; the next request dials again.
func (c *leanClient) reset() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// newLeanClient is a lean client of the server at base (http://host:port).
func newLeanClient(base string) *leanClient {
	return &leanClient{addr: strings.TrimPrefix(base, "http://")}
}
