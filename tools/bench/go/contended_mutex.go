// 64 goroutines increment one counter under one sync.Mutex: ns per increment
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

const workers = 64

func main() {
	perWorker := 20000
	if len(os.Args) > 1 {
		perWorker, _ = strconv.Atoi(os.Args[1])
	}
	var m sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	t0 := time.Now()
	wg.Add(workers)
	for k := 0; k < workers; k++ {
		go func() {
			for i := 0; i < perWorker; i++ {
				m.Lock()
				counter++
				m.Unlock()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	if counter != workers*perWorker {
		os.Exit(1)
	}
	fmt.Printf("ns_per_op %.1f\n", float64(time.Since(t0).Nanoseconds())/float64(counter))
}
