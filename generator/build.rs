//! askama compiles `templates/` into the generator without telling cargo about the files, so
//! an edited template would leave a stale generator behind. Rebuild when any of them changes.
fn main() {
    println!("cargo:rerun-if-changed=../templates");
}
