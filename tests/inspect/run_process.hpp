// Runs a program and captures its stdout, stderr and exit code. Its stdin is a pipe fed with
// given bytes, or a pseudo-terminal (so the program sees a terminal) fed with given keystrokes,
// possibly in steps (Process). Exec'd with posix_spawn, never a bare fork.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace portico::cache::testing {

struct RunOptions {
  std::string input{};                   // written to stdin, which is then closed
  bool terminal_stdin = false;           // stdin is a pseudo-terminal instead of a pipe
  std::vector<std::string> env{};        // NAME=VALUE added to (or replacing in) the environment
  std::vector<std::string> unset_env{};  // names removed from the environment
};

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

namespace detail {

inline std::vector<std::string> child_environment(const RunOptions& options) {
  std::vector<std::string> env;
  const auto overridden = [&](std::string_view entry) {
    const std::string_view name = entry.substr(0, entry.find('='));
    for (const auto& removed : options.unset_env) {
      if (name == removed) return true;
    }
    for (const auto& added : options.env) {
      if (name == std::string_view(added).substr(0, added.find('='))) return true;
    }
    return false;
  };
  for (char** e = environ; *e != nullptr; ++e) {
    if (!overridden(*e)) env.emplace_back(*e);
  }
  env.insert(env.end(), options.env.begin(), options.env.end());
  return env;
}

}  // namespace detail

// A started program; finish() feeds nothing more and collects everything.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const RunOptions& options)
      : terminal_(options.terminal_stdin) {
    int out[2];
    int err[2];
    int in[2] = {-1, -1};  // [0] the child's stdin, [1] where the input is written
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe failed");
    }
    if (terminal_) {
      const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
        throw std::runtime_error("no pseudo-terminal");
      }
      const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (slave < 0) throw std::runtime_error("cannot open the pseudo-terminal");
      in[0] = slave;
      in[1] = master;
    } else if (::pipe2(in, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe failed");
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env = detail::child_environment(options);
    std::vector<char*> envp;
    for (std::string& entry : env) envp.push_back(entry.data());
    envp.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
      ::close(in[1]);
      ::close(out[0]);
      ::close(err[0]);
      throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
    input_ = in[1];
    out_ = out[0];
    err_ = err[0];
    write(options.input);
  }

  ~Process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      finish();
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void write(const std::string& text) {
    std::size_t written = 0;
    while (written < text.size()) {
      const ssize_t n = ::write(input_, text.data() + written, text.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
  }

  // Reads stderr until it contains `text`; false if it ends first.
  bool wait_for_stderr(const std::string& text) {
    char buffer[4096];
    while (result_.err.find(text) == std::string::npos) {
      const ssize_t n = ::read(err_, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      result_.err.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
  }

  RunResult finish() {
    if (pid_ <= 0) return result_;
    if (!terminal_) {
      ::close(input_);
      input_ = -1;
    }
    // A terminal's echo is drained along with the outputs.
    struct pollfd fds[3] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}, {input_, POLLIN, 0}};
    const nfds_t count = terminal_ ? 3 : 2;
    int open_streams = 2;
    char buffer[65536];
    while (open_streams > 0) {
      if (::poll(fds, count, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (nfds_t i = 0; i < count; ++i) {
        if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          if (i < 2) {
            ::close(fds[i].fd);
            --open_streams;
          }
          fds[i].fd = -1;
          continue;
        }
        if (i == 0) result_.out.append(buffer, static_cast<std::size_t>(n));
        if (i == 1) result_.err.append(buffer, static_cast<std::size_t>(n));
      }
    }
    if (input_ >= 0) ::close(input_);
    input_ = -1;
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    result_.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result_;
  }

 private:
  bool terminal_;
  pid_t pid_ = -1;
  int input_ = -1;
  int out_ = -1;
  int err_ = -1;
  RunResult result_;
};

inline RunResult run_process(const std::vector<std::string>& argv, const RunOptions& options = {}) {
  return Process(argv, options).finish();
}

}  // namespace portico::cache::testing
