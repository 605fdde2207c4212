use clap::Parser;

fn main() {
    let cli = kpolicy::cli::Cli::parse();
    std::process::exit(kpolicy::cli::run(cli));
}
