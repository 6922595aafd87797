// Package benchhttp is the HTTP client the benchmarks time requests with.
package benchhttp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// Client times GET requests as a load generator does (wrk, say): one
// kept-alive connection, each request written and its answer read by the
// caller itself. net/http's client hands every request to two goroutines
// of its connection and back, which on the 2-core machine of the
// benchmarks cost about 50 µs a request: the client's, not the server's.
// A Client is not safe for concurrent use.
type Client struct {
	addr string // host:port
	conn net.Conn
	r    *bufio.Reader
}

// Get sends GET path with the header lines given ("Name: value") and
// reads the whole answer, which must have a Content-Length or be chunked.
func (c *Client) Get(path string, header ...string) (int, []byte, error) {
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
		c.Close()
		return 0, nil, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.Close()
		return 0, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.Close()
	}
	if err != nil {
		return 0, nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return resp.StatusCode, body, nil
}

// Close drops the connection; a later request dials again.
func (c *Client) Close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// New is a client of the server at base (http://host:port).
func New(base string) *Client {
	return &Client{addr: strings.TrimPrefix(base, "http://")}
}
