//! Generates the module for a spec to stdout or a file, without the CLI:
//! `cargo run -p tollgate-codegen --example generate -- SPEC [OUT]`. Handy when working on
//! the emitter (the CLI depends on the runtime crate; this needs only the generator).

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(spec) = args.next() else {
        eprintln!("usage: generate SPEC [OUT]");
        return std::process::ExitCode::from(2);
    };
    let settings = tollgate_codegen::Settings {
        emit_mock: std::env::var_os("TOLLGATE_NO_MOCK").is_none(),
        ..Default::default()
    };
    match tollgate_codegen::Generator::new(&settings).generate_file(spec.as_ref()) {
        Ok(generated) => {
            eprintln!(
                "generated {} operations, {} types in {:.3} s",
                generated.operations,
                generated.types,
                generated.elapsed.as_secs_f64()
            );
            let written = match args.next() {
                Some(out) => std::fs::write(out, generated.code),
                None => {
                    print!("{}", generated.code);
                    Ok(())
                }
            };
            match written {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("error: {err}");
                    std::process::ExitCode::from(1)
                }
            }
        }
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            std::process::ExitCode::from(1)
        }
    }
}
