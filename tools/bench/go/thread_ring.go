// 503 goroutines pass a token around a ring of unbuffered channels: ns per pass
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

const ring = 503

func main() {
	passes := 500000
	if len(os.Args) > 1 {
		passes, _ = strconv.Atoi(os.Args[1])
	}
	chans := make([]chan int, ring)
	for i := range chans {
		chans[i] = make(chan int)
	}
	done := make(chan bool)
	for i := 0; i < ring; i++ {
		go func(in, out chan int) {
			for t := range in {
				if t >= passes {
					done <- true
					return
				}
				out <- t + 1
			}
		}(chans[i], chans[(i+1)%ring])
	}
	t0 := time.Now()
	chans[0] <- 0
	<-done
	fmt.Printf("ns_per_op %.1f\n", float64(time.Since(t0).Nanoseconds())/float64(passes))
}
