// mutex/condvar ping-pong between two goroutines (sync.Cond): ns per one-way hand-off
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	rounds := 200000
	if len(os.Args) > 1 {
		rounds, _ = strconv.Atoi(os.Args[1])
	}
	var m sync.Mutex
	c := sync.NewCond(&m)
	turn := 0
	var wg sync.WaitGroup
	player := func(me int) {
		m.Lock()
		for i := 0; i < rounds; i++ {
			for turn != me {
				c.Wait()
			}
			turn = 1 - me
			c.Signal()
		}
		m.Unlock()
		wg.Done()
	}
	wg.Add(2)
	t0 := time.Now()
	go player(0)
	go player(1)
	wg.Wait()
	fmt.Printf("ns_per_op %.1f\n", float64(time.Since(t0).Nanoseconds())/float64(2*rounds))
}
