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
	br, bw, _ := os.Pipe()
	ar, aw, _ := os.Pipe()
	go func() {
		b := make([]byte, 1)
		for i := 0; i < rounds; i++ {
			br.Read(b)
			aw.Write(b)
		}
	}()
	b := []byte{'x'}
	t0 := time.Now()
	for i := 0; i < rounds; i++ {
		bw.Write(b)
		ar.Read(b)
	}
	fmt.Printf("ns_per_op %.1f\n", float64(time.Since(t0).Nanoseconds())/float64(rounds))
}
