// SPDX-License-Identifier: GPL-2.0
// What the commands of mapringctl share: options, errors, exit codes and
// how an object is named on the command line.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <mapring/mapring.hpp>

namespace ctl {

// Exit statuses, listed in `mapringctl --help`.
enum Exit : int {
  kOk = 0,
  kFailed = 1,     // anything else that went wrong
  kUsage = 2,      // bad command line
  kNoObject = 3,   // no object with that id or name, or not of that kind
  kDenied = 4,     // permission denied
  kNotLoaded = 5,  // mapring.ko is not loaded
};

// A failure with its exit status and the one line that explains it.
struct Error : std::runtime_error {
  Error(int status, const std::string& what)
      : std::runtime_error(what), status(status) {}
  int status;
};

struct Options {
  bool json = false;
  bool sum = false;                    // dump
  bool once = false;                   // tail: what is there, then exit
  std::optional<std::string> format;   // tail
  std::optional<std::uint64_t> count;  // tail: stop after this many
};

using Args = std::vector<std::string>;

// Opens /dev/mapring, or throws Error (kNotLoaded, kDenied).
mapring::Device open_device();
// Turns a failed system call into an Error with the right status.
[[noreturn]] void fail(const std::system_error& e, const std::string& doing);

// The object args name: "ID", "NAME", "id ID" or "name NAME"; consumes
// them. Throws Error (kNoObject, kUsage).
mapring_obj_info find_object(const mapring::Device& dev, Args& args);
// Every live object, by id.
std::vector<mapring_obj_info> all_objects(const mapring::Device& dev);
// An fd of the object (ring or map), for the commands that need one.
mapring::Fd open_object(const mapring_obj_info& info);

std::string_view type_name(std::uint32_t type);
bool is_map(std::uint32_t type);
// "'name'" or "id N", for messages.
std::string describe(const mapring_obj_info& info);

int cmd_info(const Options& opt, Args& args);
int cmd_list(const Options& opt, Args& args);  // list, show
int cmd_stats(const Options& opt, Args& args);
int cmd_dump(const Options& opt, Args& args);
int cmd_tail(const Options& opt, Args& args);

// Refuses arguments a command did not consume.
void no_more(const Args& args);

}  // namespace ctl
