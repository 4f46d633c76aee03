// SPDX-License-Identifier: GPL-2.0
// For the C++ guest tests: TAP output (the kselftest harness is C only)
// and child processes whose output is captured while they run.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace mr {

// ---- TAP --------------------------------------------------------------------

inline int tap_failures = 0;
inline int tap_checks_failed = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      mr::tap_checks_failed++;                                                 \
    }                                                                          \
  } while (0)

// CHECK(a == b), printing both sides when they differ.
#define CHECK_EQ(a, b)                                                        \
  do {                                                                        \
    const auto a_ = (a); /* copies: a may refer into a temporary */           \
    const auto b_ = (b);                                                      \
    if (!(a_ == b_)) {                                                        \
      std::printf("#   %s:%d: CHECK_EQ(%s, %s) failed: %s != %s\n", __FILE__, \
                  __LINE__, #a, #b, mr::show(a_).c_str(),                     \
                  mr::show(b_).c_str());                                      \
      mr::tap_checks_failed++;                                                \
    }                                                                         \
  } while (0)

inline std::string show(const std::string& s) { return "\"" + s + "\""; }
inline std::string show(const char* s) { return show(std::string(s)); }
template <class T>
std::string show(const T& v) {
  return std::to_string(v);
}

// Runs one test case and prints its TAP line.
template <class F>
void run(int n, const char* name, F&& body) {
  tap_checks_failed = 0;
  try {
    body();
  } catch (const std::exception& e) {
    std::printf("#   unexpected exception: %s\n", e.what());
    tap_checks_failed++;
  }
  std::printf("%sok %d %s\n", tap_checks_failed ? "not " : "", n, name);
  tap_failures += tap_checks_failed != 0;
  std::fflush(stdout);
}

// The error code of the std::system_error f throws, or 0.
inline int errno_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::system_error& e) {
    return e.code().value();
  }
  return 0;
}

// Lines of text, without their newlines.
inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// ---- child processes --------------------------------------------------------

// A program running with its stdout and stderr read into strings by two
// threads, so it never blocks on a full pipe.
class Proc {
 public:
  // argv[0] is looked up in PATH. uid >= 0: run as that user and group.
  explicit Proc(std::vector<std::string> argv, int uid = -1) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
      throw std::runtime_error("pipe failed");
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::fflush(stdout);
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // only async-signal-safe calls from here
      dup2(out[1], 1);
      dup2(err[1], 2);
      if (uid >= 0 && (setgid(uid) || setuid(uid))) _exit(126);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    readers_[0] = std::thread(&Proc::drain, this, out[0], &out_);
    readers_[1] = std::thread(&Proc::drain, this, err[0], &err_);
  }
  Proc(const Proc&) = delete;
  Proc& operator=(const Proc&) = delete;
  ~Proc() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      wait();
    }
  }

  pid_t pid() const { return pid_; }
  void signal(int sig) const { kill(pid_, sig); }
  // Waits for the end of the program and of its output: the exit status
  // (128 + signal if killed).
  int wait() {
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
    for (auto& t : readers_) t.join();
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  // Waits until its stdout holds text (false if it ended or a minute
  // passed without it: a bound for a broken program, not a measurement).
  bool wait_out(std::string_view text) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::minutes(1), [&] {
      return out_.find(text) != std::string::npos || closed_ == 2;
    }) && out_.find(text) != std::string::npos;
  }
  // Complete once wait() returned.
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  void drain(int fd, std::string* to) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
      std::lock_guard lock(mu_);
      to->append(buf, n);
      cv_.notify_all();
    }
    close(fd);
    std::lock_guard lock(mu_);
    closed_++;
    cv_.notify_all();
  }

  pid_t pid_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  int closed_ = 0;
  std::string out_, err_;
  std::thread readers_[2];
};

struct Result {
  int status;
  std::string out, err;
};

// Runs a program to its end.
inline Result run_program(std::vector<std::string> argv, int uid = -1) {
  Proc p(std::move(argv), uid);
  int status = p.wait();
  return {status, p.out(), p.err()};
}

}  // namespace mr
