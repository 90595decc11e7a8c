//! Builds the back office's body editor: `editor/src` (our code) bundled with ProseMirror
//! from npm (pinned by `editor/package-lock.json`) into `$OUT_DIR/editor.js`, which
//! `src/assets.rs` embeds in the binary and serves as `/static/admin/editor.js`.
//!
//! Needs Node.js (18 or newer) with npm on the PATH. Cargo lets a build script write only
//! into `OUT_DIR`, so the packages are installed there (`npm ci`, once per lock: a copy of
//! the lock beside `node_modules` says which one is installed), never in the source tree.
//! The script reruns only when the editor's sources, its package files or this file change,
//! so an ordinary `cargo build` runs neither npm nor esbuild.

use std::{
    env, fs,
    path::{Path, PathBuf},
    process::Command,
};

const WATCHED: &[&str] = &[
    "editor/src",
    "editor/package.json",
    "editor/package-lock.json",
];

fn main() {
    for path in WATCHED {
        println!("cargo::rerun-if-changed={path}");
    }
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let editor = root.join("editor");
    let packages = out.join("npm");
    install(&editor, &packages);
    bundle(&editor, &packages, &out.join("editor.js"));
}

/// `npm ci` into `packages` unless the same lock is installed there already.
fn install(editor: &Path, packages: &Path) {
    let lock = read(&editor.join("package-lock.json"));
    let installed = packages.join("installed-package-lock.json");
    if packages.join("node_modules").is_dir() && fs::read(&installed).ok().as_ref() == Some(&lock) {
        return;
    }
    fs::create_dir_all(packages).unwrap_or_else(|e| fail(&format!("{}: {e}", packages.display())));
    for file in ["package.json", "package-lock.json"] {
        fs::copy(editor.join(file), packages.join(file))
            .unwrap_or_else(|e| fail(&format!("copying editor/{file}: {e}")));
    }
    // No install scripts: esbuild finds its platform binary without its postinstall step.
    run(
        Command::new(npm())
            .args([
                "ci",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--prefer-offline",
            ])
            .args(["--loglevel", "error"])
            .current_dir(packages),
        "npm ci",
    );
    fs::write(&installed, &lock).unwrap_or_else(|e| fail(&format!("{}: {e}", installed.display())));
}

/// esbuild (from the packages just installed) bundles `editor/src/editor.js` as one minified
/// ES module. The paste cleaner stays outside (`/static/…` imports are left to the browser
/// and its import map): the autosave module shares it.
fn bundle(editor: &Path, packages: &Path, target: &Path) {
    let modules = packages.join("node_modules");
    let mut esbuild = Command::new("node");
    esbuild
        .arg(modules.join("esbuild/bin/esbuild"))
        .arg(editor.join("src/editor.js"))
        .args([
            "--bundle",
            "--format=esm",
            "--minify",
            "--target=es2020",
            "--charset=utf8",
            "--legal-comments=none",
            "--log-level=warning",
            "--external:/static/*",
        ])
        .arg(format!("--outfile={}", target.display()))
        // Bare imports (prosemirror-*) resolve to the packages in OUT_DIR.
        .env("NODE_PATH", &modules);
    run(&mut esbuild, "esbuild");
}

fn npm() -> &'static str {
    if cfg!(windows) { "npm.cmd" } else { "npm" }
}

fn run(command: &mut Command, what: &str) {
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => fail(&format!("{what} failed ({status})")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => fail(&format!(
            "{what}: `{}` was not found. Building Tòa Soạn needs Node.js 18 or newer with npm \
             on the PATH (https://nodejs.org/, or `apt-get install nodejs npm`): the back \
             office's editor is bundled from npm packages at build time.",
            command.get_program().to_string_lossy()
        )),
        Err(e) => fail(&format!("{what}: {e}")),
    }
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())))
}

fn fail(message: &str) -> ! {
    panic!("building the editor bundle: {message}");
}
