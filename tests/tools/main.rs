//! The tests that drive tools installed on the machine, run by one harness (`harness = false`, libtest-mimic)
//! so that a missing tool is handled one way everywhere ([`require`]): a failure under CI, an ignored test
//! counted in the summary elsewhere.
//!
//! - the editor set-ups of `editors/` in the real editors: the Neovim plugin in Debian's Neovim (0.7) and in
//!   Neovim 0.11 ([`nvim`]), a bare `vim.lsp` client in Neovim ([`nvim_clean`]), the Emacs mode with Debian's
//!   eglot ([`emacs`]), the VS Code extension in code-server under headless Chromium ([`vscode`]), and the
//!   editors' copies of the tree-sitter queries against the grammar's ([`queries`], needs nothing);
//! - the pre-commit hooks through the real `pre-commit` ([`pre_commit`]);
//! - the committed parser against what the tree-sitter CLI generates from `grammar.js` ([`grammar`]).
//!
//! `.ci/run` installs every tool and says which variables name them.

use std::process::ExitCode;

use libtest_mimic::Arguments;

mod emacs;
mod grammar;
mod nvim;
mod nvim_clean;
mod pre_commit;
mod queries;
mod require;
mod support;
mod vscode;

/// A trial named like libtest names a test function (`module::function`), for a test that needs a tool.
macro_rules! needs_tool {
    ($module:ident :: $test:ident) => {
        require::trial(concat!(stringify!($module), "::", stringify!($test)), $module::$test)
    };
}

/// A trial for a test that needs nothing installed.
macro_rules! plain {
    ($module:ident :: $test:ident) => {
        require::plain(concat!(stringify!($module), "::", stringify!($test)), $module::$test)
    };
}

fn main() -> ExitCode {
    if std::env::var_os(require::CI_PROBE).is_some() {
        println!("in_ci={}", require::in_ci());
        return ExitCode::SUCCESS;
    }
    let args = Arguments::from_args();
    let trials = vec![
        needs_tool!(emacs::emacs_with_eglot_shows_the_diagnostic_and_completes),
        needs_tool!(nvim::neovim_debian_runs_the_plugin),
        needs_tool!(nvim::neovim_0_11_runs_the_plugin_with_vim_lsp_enable_and_the_grammar),
        plain!(nvim::versions_parse),
        needs_tool!(nvim_clean::neovim_shows_the_diagnostic_and_completes_table_add_column),
        needs_tool!(vscode::the_extension_in_code_server_shows_diagnostics_completes_and_pushes),
        needs_tool!(pre_commit::hooks_pass_good_commits_and_refuse_broken_ones),
        plain!(pre_commit::the_readme_snippet_is_the_configuration_the_test_uses),
        needs_tool!(grammar::committed_parser_matches_grammar_js),
        plain!(grammar::the_generating_version_is_read_from_the_parser_header),
        plain!(queries::neovim_queries_are_the_grammars),
        plain!(queries::helix_queries_are_the_grammars_translated),
        plain!(queries::helix_translation_renames_only_captures),
        plain!(queries::every_editor_query_compiles_against_the_grammar),
        plain!(require::a_missing_tool_fails_under_ci_and_is_ignored_otherwise),
        plain!(require::ci_is_read_from_the_environment),
        plain!(require::a_missing_editor_fails_ci_and_is_counted_as_ignored_elsewhere),
    ];
    let conclusion = libtest_mimic::run(&args, trials);
    require::report_skips();
    conclusion.exit_code()
}
