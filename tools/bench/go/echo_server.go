// Goroutine-per-connection echo server, the Go equivalent of echo_server.c: every
// connection accepted on descriptor 3 (the listening loopback socket echo_client hands
// it) gets a goroutine that reads and writes back until the peer closes. echo_client
// starts it and measures it (round trips per second, p99 round-trip time).
package main

import (
	"fmt"
	"net"
	"os"
)

func serve(c net.Conn) {
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	c.Close()
}

func main() {
	l, err := net.FileListener(os.NewFile(3, "listener"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo_server:", err)
		os.Exit(1)
	}
	for {
		c, err := l.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "echo_server: accept:", err)
			os.Exit(1)
		}
		go serve(c)
	}
}
