// create N goroutines that all block on one sync.Cond, until the last is blocked: ns per goroutine
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

func main() {
	n := 10000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var m sync.Mutex
	c := sync.NewCond(&m)
	ready, wake := 0, false
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			m.Lock()
			ready++
			for !wake {
				c.Wait()
			}
			m.Unlock()
			wg.Done()
		}()
	}
	for {
		m.Lock()
		r := ready
		m.Unlock()
		if r == n {
			break
		}
		runtime.Gosched()
	}
	elapsed := time.Since(t0)
	m.Lock()
	wake = true
	c.Broadcast()
	m.Unlock()
	wg.Wait()
	fmt.Printf("ns_per_op %.1f\n", float64(elapsed.Nanoseconds())/float64(n))
}
