// SPDX-License-Identifier: GPL-2.0
// mapringctl: inspect mapring objects, as bpftool does BPF's.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <system_error>

#include <mapring/mapring.hpp>

namespace {

void usage(FILE* out) {
  std::fputs(
      "usage: mapringctl [--json] COMMAND\n"
      "\n"
      "commands:\n"
      "  info    ABI version, features and CPU counts of the loaded module\n",
      out);
}

// One clear line for the failures a user meets first.
int explain(const std::system_error& e) {
  switch (e.code().value()) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
      std::fprintf(stderr, "mapringctl: mapring.ko is not loaded (%s)\n",
                   e.what());
      break;
    case EACCES:
    case EPERM:
      std::fprintf(stderr, "mapringctl: permission denied on " MAPRING_DEV_PATH
                           " (its mode is the module's mode= parameter)\n");
      break;
    default:
      std::fprintf(stderr, "mapringctl: %s\n", e.what());
  }
  return 1;
}

int cmd_info(bool json) {
  auto info = mapring::Device::open().info();
  if (json) {
    std::printf(
        "{\"abi_version\":%u,\"features\":%llu,\"page_size\":%u,"
        "\"nr_possible_cpus\":%u,\"nr_cpu_ids\":%u}\n",
        info.abi_version, static_cast<unsigned long long>(info.features),
        info.page_size, info.nr_possible_cpus, info.nr_cpu_ids);
  } else {
    std::printf("abi_version       %u\n", info.abi_version);
    std::printf("features          %#llx\n",
                static_cast<unsigned long long>(info.features));
    std::printf("page_size         %u\n", info.page_size);
    std::printf("possible_cpus     %u\n", info.nr_possible_cpus);
    std::printf("nr_cpu_ids        %u\n", info.nr_cpu_ids);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    std::string_view arg = argv[i];
    if (arg == "--json" || arg == "-j") {
      json = true;
    } else if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "mapringctl: unknown option %s\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  if (i >= argc) {
    usage(stderr);
    return 2;
  }
  std::string_view cmd = argv[i];
  try {
    if (cmd == "info") return cmd_info(json);
  } catch (const std::system_error& e) {
    return explain(e);
  }
  std::fprintf(stderr, "mapringctl: unknown command '%s'\n", argv[i]);
  usage(stderr);
  return 2;
}
