// one byte back and forth over two pipes: ns per round trip
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	rounds := 50000
	if len(os.Args) > 1 {
		rounds, _ = strconv.Atoi(os.Args[1])
	}
	br, bw, err1 := os.Pipe()
	ar, aw, err2 := os.Pipe()
	if err1 != nil || err2 != nil {
		os.Exit(1)
	}
	go func() {
		b := make([]byte, 1)
		for i := 0; i < rounds; i++ {
			if n, err := br.Read(b); n != 1 || err != nil {
				os.Exit(1)
			}
			if n, err := aw.Write(b); n != 1 || err != nil {
				os.Exit(1)
			}
		}
	}()
	b := []byte{'x'}
	t0 := time.Now()
	for i := 0; i < rounds; i++ {
		if n, err := bw.Write(b); n != 1 || err != nil {
			os.Exit(1)
		}
		if n, err := ar.Read(b); n != 1 || err != nil {
			os.Exit(1)
		}
	}
	fmt.Printf("ns_per_op %.1f\n", float64(time.Since(t0).Nanoseconds())/float64(rounds))
}
