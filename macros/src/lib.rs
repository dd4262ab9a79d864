//! `#[tollgate::gateway(spec = "openapi.yaml")]`: generates a gateway module from an
//! OpenAPI document at compile time. A thin shell over `tollgate_codegen::Generator`, the
//! same generator the CLI and `build.rs` use, so all three produce the same code.
//!
//! The spec path is relative to `CARGO_MANIFEST_DIR`. The compiler tracks every file read
//! (through `include_str!`), so editing the spec recompiles the module. Spec errors become a
//! `compile_error!` at the attribute, naming the file, line and JSON pointer.

use std::path::PathBuf;

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{parse_macro_input, Ident, ItemMod, LitBool, LitStr, Token};
use tollgate_codegen::{Generator, Settings};

/// Generates the gateway module for an OpenAPI document into the annotated (empty) module.
///
/// Arguments: `spec = "path"` (required, relative to the crate root), `runtime_path =
/// "::tollgate"`, `derive = "Hash"` (repeatable), `mock = false`.
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
                ("spec" | "runtime_path" | "derive", _) => {
                    return Err(syn::Error::new_spanned(
                        &arg.value,
                        format!("`{key}` takes a string"),
                    ));
                }
                ("mock", _) => {
                    return Err(syn::Error::new_spanned(
                        &arg.value,
                        "`mock` takes `true` or `false`",
                    ))
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        &arg.key,
                        format!("unknown argument `{key}`; expected `spec`, `runtime_path`, `derive` or `mock`"),
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
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let path = root.join(args.spec.value());
    let generated = Generator::new(&args.settings)
        .generate_file(&path)
        .map_err(|diagnostics| syn::Error::new(args.spec.span(), diagnostics.to_string()))?;
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
