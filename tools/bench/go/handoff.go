// two goroutines ping-pong over unbuffered channels: ns per one-way hand-off
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	rounds := 200000
	if len(os.Args) > 1 {
		rounds, _ = strconv.Atoi(os.Args[1])
	}
	ping, pong := make(chan int), make(chan int)
	done := make(chan bool)
	t0 := time.Now()
	go func() {
		for i := 0; i < rounds; i++ {
			ping <- i
			<-pong
		}
		done <- true
	}()
	go func() {
		for i := 0; i < rounds; i++ {
			pong <- <-ping
		}
		done <- true
	}()
	<-done
	<-done
	fmt.Printf("ns_per_op %.1f\n", float64(time.Since(t0).Nanoseconds())/float64(2*rounds))
}
