// mimalloc: the parser and the span trees allocate millions of small nodes; glibc's malloc spent
// about a tenth of a run's CPU (user and system) on them (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = kpolicy::cli::parse();
    std::process::exit(kpolicy::cli::run(cli));
}
