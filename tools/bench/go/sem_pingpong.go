// two goroutines, two semaphores (channels of capacity 1): ns per one-way hand-off
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
	ping, pong := make(chan struct{}, 1), make(chan struct{}, 1)
	done := make(chan bool)
	t0 := time.Now()
	go func() {
		for i := 0; i < rounds; i++ {
			<-ping
			pong <- struct{}{}
		}
		done <- true
	}()
	for i := 0; i < rounds; i++ {
		ping <- struct{}{}
		<-pong
	}
	<-done
	fmt.Printf("ns_per_op %.1f\n", float64(time.Since(t0).Nanoseconds())/float64(2*rounds))
}
