fn main() {
    let cli = kpolicy::cli::parse();
    std::process::exit(kpolicy::cli::run(cli));
}
