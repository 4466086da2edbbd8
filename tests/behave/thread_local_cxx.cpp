// thread_local_cxx: C++ thread_local objects with constructors and
// destructors. Each thread that touches the object constructs its own copy;
// the destructor runs in that thread when it exits (by returning, by
// pthread_exit, or as a std::thread) and sees that thread's value, so the
// counts printed after join match; threads that never touch it construct none.
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

static std::atomic<int> ctors{0}, dtors{0}, wrong{0};
static std::atomic<int> seen[64];

struct Tracker {
	int value;
	pthread_t owner;
	std::string name;
	Tracker() : value(123), owner(pthread_self()), name("tracker-with-a-long-heap-allocated-name") { ctors++; }
	~Tracker()
	{
		if (!pthread_equal(owner, pthread_self()) || name != "tracker-with-a-long-heap-allocated-name")
			wrong++;
		if (value >= 0 && value < 64)
			seen[value]++;
		else
			wrong++;
		dtors++;
	}
};

thread_local Tracker tracker;
thread_local int plain = 5;

static void use(int id)
{
	if (tracker.value != 123 || plain != 5)
		wrong++;
	tracker.value = id;
	plain = id;
	for (int i = 0; i < 200; i++) {
		if (i % 50 == 0)
			usleep(200);
		else
			sched_yield();
		if (tracker.value != id || plain != id) {
			wrong++;
			break;
		}
	}
}

static void *returns(void *arg)
{
	use((int)(intptr_t)arg);
	return nullptr;
}

static void *never_touches(void *arg)
{
	plain = (int)(intptr_t)arg;
	sched_yield();
	return nullptr;
}

static void *exits(void *arg)
{
	use((int)(intptr_t)arg);
	pthread_exit(arg);
}

static bool round_of(const char *what, int n, int first_id, void *(*fn)(void *), int want)
{
	int c0 = ctors, d0 = dtors;
	std::vector<pthread_t> t(n);
	for (int i = 0; i < n; i++) {
		int rc = pthread_create(&t[i], nullptr, fn, (void *)(intptr_t)(first_id + i));
		if (rc) {
			std::printf("pthread_create: %d\n", rc);
			return false;
		}
	}
	for (int i = 0; i < n; i++) {
		void *ret;
		int rc = pthread_join(t[i], &ret);
		if (rc) {
			std::printf("pthread_join: %d\n", rc);
			return false;
		}
		if (fn == exits && ret != (void *)(intptr_t)(first_id + i))
			wrong++;
	}
	int c = ctors - c0, d = dtors - d0;
	std::printf("%s (%d threads): constructed %d, destroyed %d\n", what, n, c, d);
	return c == want && d == want;
}

int main()
{
	std::setvbuf(stdout, nullptr, _IOLBF, 0); // keep what was printed if the program dies
	bool ok = true;
	ok &= round_of("return from start routine", 8, 0, returns, 8);
	ok &= round_of("never touch the object", 4, 0, never_touches, 0);
	ok &= round_of("pthread_exit", 4, 8, exits, 4);

	int c0 = ctors, d0 = dtors;
	{
		std::vector<std::thread> v;
		for (int i = 0; i < 4; i++)
			v.emplace_back(use, 12 + i);
		for (auto &th : v)
			th.join();
	}
	int c = ctors - c0, d = dtors - d0;
	std::printf("std::thread (4 threads): constructed %d, destroyed %d\n", c, d);
	ok &= c == 4 && d == 4;

	int once = 0;
	for (int i = 0; i < 16; i++)
		once += seen[i] == 1;
	std::printf("each destructor ran once, in its own thread, with that thread's value: %s\n",
		    once == 16 && wrong == 0 ? "yes" : "NO");
	std::printf("main thread's copy untouched: %s\n", plain == 5 ? "yes" : "NO");
	ok &= once == 16 && wrong == 0 && plain == 5;
	return ok ? 0 : 1;
}
