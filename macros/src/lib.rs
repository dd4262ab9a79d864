//! `#[tollgate::gateway(spec = "openapi.yaml")]`: generates a gateway module from an
//! OpenAPI document at compile time. A thin shell over `tollgate_codegen::Generator`, the
//! same generator the CLI and `build.rs` use, so all three produce the same code.
//!
//! The spec path is relative to `CARGO_MANIFEST_DIR`. The compiler tracks every file read
//! (through `include_str!`), so editing the spec recompiles the module. Spec errors become a
//! `compile_error!` at the attribute, naming the file, line and JSON pointer.

use std::path::{Path, PathBuf};

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{parse_macro_input, Ident, ItemMod, LitBool, LitStr, Token};
use tollgate_codegen::{Diagnostics, Generator, Settings};

/// Generates the gateway module for an OpenAPI document into the annotated (empty) module.
///
/// Arguments: `spec = "path"` (required, relative to the crate root), `runtime_path =
/// "::tollgate"`, `derive = "Hash"` (repeatable), `mock = false`, `serde_both_ways = true`.
///
/// ```ignore
/// #[tollgate::gateway(spec = "openapi.yaml")]
/// pub mod api {}
/// ```
#[proc_macro_attribute]
pub fn gateway(attr: TokenStream, item: TokenStream) -> TokenStream {
    let args = parse_macro_input!(attr as Arguments);
    let module = parse_macro_input!(item as ItemMod);
    match expand(args, module) {
        Ok(tokens) => tokens.into(),
        Err(err) => err.to_compile_error().into(),
    }
}

struct Argument {
    key: Ident,
    value: syn::Lit,
}

impl Parse for Argument {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key = input.parse()?;
        input.parse::<Token![=]>()?;
        Ok(Self {
            key,
            value: input.parse()?,
        })
    }
}

struct Arguments {
    spec: LitStr,
    settings: Settings,
}

impl Parse for Arguments {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let list = Punctuated::<Argument, Token![,]>::parse_terminated(input)?;
        let mut spec = None;
        let mut settings = Settings::default();
        for arg in list {
            let key = arg.key.to_string();
            match (key.as_str(), &arg.value) {
                ("spec", syn::Lit::Str(s)) => spec = Some(s.clone()),
                ("runtime_path", syn::Lit::Str(s)) => settings.runtime_path = s.value(),
                ("derive", syn::Lit::Str(s)) => settings.extra_derives.push(s.value()),
                ("mock", syn::Lit::Bool(LitBool { value, .. })) => settings.emit_mock = *value,
                ("serde_both_ways", syn::Lit::Bool(LitBool { value, .. })) => {
                    settings.serde_both_ways = *value;
                }
                ("spec" | "runtime_path" | "derive", _) => {
                    return Err(syn::Error::new_spanned(
                        &arg.value,
                        format!("`{key}` takes a string"),
                    ));
                }
                ("mock" | "serde_both_ways", _) => {
                    return Err(syn::Error::new_spanned(
                        &arg.value,
                        format!("`{key}` takes `true` or `false`"),
                    ))
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        &arg.key,
                        format!("unknown argument `{key}`; expected `spec`, `runtime_path`, `derive`, `mock` or `serde_both_ways`"),
                    ));
                }
            }
        }
        let spec = spec.ok_or_else(|| {
            syn::Error::new(
                Span::call_site(),
                "missing `spec = \"path/to/openapi.yaml\"`",
            )
        })?;
        Ok(Self { spec, settings })
    }
}

fn expand(args: Arguments, module: ItemMod) -> syn::Result<proc_macro2::TokenStream> {
    // `TOLLGATE_MANIFEST_DIR` is a test hook: trybuild compiles UI tests in a crate under
    // `target/tests/trybuild`, so their `CARGO_MANIFEST_DIR` is not the crate the paths in
    // them are relative to.
    let root = std::env::var_os("TOLLGATE_MANIFEST_DIR")
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
        .unwrap_or_default();
    let path = root.join(args.spec.value());
    let generated = Generator::new(&args.settings)
        .on_this_thread()
        .generate_file(&path)
        .map_err(|diagnostics| spec_error(&args.spec, &root, diagnostics))?;
    if let Some(dir) = std::env::var_os("TOLLGATE_EXPAND_DIR") {
        // Test hook: lets a test compare the macro's code with the CLI's and build.rs's.
        let file = PathBuf::from(dir).join(format!("{}.rs", module.ident));
        let _ = std::fs::create_dir_all(file.parent().unwrap_or(&root));
        let _ = std::fs::write(file, &generated.code);
    }
    let code: proc_macro2::TokenStream = generated.code.parse()?;
    let tracked = generated.files.iter().map(|f| {
        let f = f.to_string_lossy();
        quote!(
            const _: &str = include_str!(#f);
        )
    });
    let ItemMod {
        attrs,
        vis,
        ident,
        content,
        ..
    } = module;
    let existing = content.map(|(_, items)| items).unwrap_or_default();
    Ok(quote! {
        #(#attrs)*
        #vis mod #ident {
            #(#tracked)*
            #code
            #(#existing)*
        }
    })
}

/// One compile error at the spec path for each error in `diagnostics`, reading
/// `file:line:col: message (at #/pointer)` (rustc adds the `error:`), then its hint.
/// Warnings are left out, as they are when generation succeeds.
fn spec_error(spec: &LitStr, root: &Path, diagnostics: Diagnostics) -> syn::Error {
    let diagnostics = relative_to(root, diagnostics);
    let mut errors = diagnostics.0.iter().filter(|d| d.is_error()).map(|d| {
        let mut message = match &d.location {
            Some(location) => format!("{location}: "),
            None => String::new(),
        };
        message.push_str(&format!("{} (at {})", d.message, d.pointer));
        if let Some(hint) = &d.hint {
            message.push_str(&format!("\n  hint: {hint}"));
        }
        syn::Error::new(spec.span(), message)
    });
    let first = errors
        .next()
        .unwrap_or_else(|| syn::Error::new(spec.span(), diagnostics.to_string()));
    errors.fold(first, |mut all, error| {
        all.combine(error);
        all
    })
}

/// The diagnostics with the paths of files relative to `root` (the absolute directory the
/// spec path was joined to, for loading), so they read as the user wrote them
/// (`../specs/api.yaml:3:5`) and are the same on every machine. Files reached through
/// external `$ref`s are named by normalised paths (`/crate/../specs/x.yaml` is
/// `/specs/x.yaml`), so each ancestor of `root` is replaced as well, by as many `../`.
fn relative_to(root: &Path, mut diagnostics: Diagnostics) -> Diagnostics {
    let separator = std::path::MAIN_SEPARATOR;
    let mut prefixes = Vec::new();
    let mut up = String::new();
    for dir in root.ancestors().take_while(|dir| dir.parent().is_some()) {
        prefixes.push((format!("{}{separator}", dir.display()), up.clone()));
        up.push_str(&format!("..{separator}"));
    }
    let relative = |text: &str| {
        prefixes.iter().fold(text.to_owned(), |text, (prefix, up)| {
            text.replace(prefix, up)
        })
    };
    for diagnostic in &mut diagnostics.0 {
        if let Some(location) = &mut diagnostic.location {
            location.file = PathBuf::from(relative(&location.file.to_string_lossy()));
        }
        diagnostic.message = relative(&diagnostic.message);
    }
    diagnostics
}
