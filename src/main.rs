//! The `dfls` binary: everything lives in the library; see `dfls::cli`.

fn main() -> std::process::ExitCode {
    dfls::cli::main()
}
