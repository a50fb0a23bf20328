//! The formatter's options and the order in which their sources win.
//!
//! Each source gives a [`Settings`] with the options it sets; [`Settings::or`] fills what one leaves unset
//! from the next, and [`Settings::resolve`] fills the rest with the defaults. The order, from the winner
//! down: options named explicitly by the user (command-line flags), `dfls.toml` `[format]`, `.editorconfig`,
//! the editor's own settings (the language server's `tabSize`/`insertSpaces`), the defaults. The project's
//! files come before the editor because an editor always sends its settings, usually defaults nobody chose
//! (VS Code's `tabSize` is 4), and two people's editors must not format the same repository two ways.

/// The indentation of Fabric's Git exports (`shared Q = let` then bindings two spaces in).
pub const DEFAULT_INDENT_WIDTH: usize = 2;
/// The line width of Microsoft's Power Query formatter; Fabric itself never wraps.
pub const DEFAULT_LINE_WIDTH: usize = 120;

/// The options of one formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Columns of one level of indentation, also the width of a tab.
    pub indent_width: usize,
    /// Indent with tabs rather than spaces.
    pub use_tabs: bool,
    /// The width lines are fitted to, in columns (Unicode scalar values).
    pub line_width: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options { indent_width: DEFAULT_INDENT_WIDTH, use_tabs: false, line_width: DEFAULT_LINE_WIDTH }
    }
}

/// The options one source sets; `None` leaves the option to the next source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    pub indent_width: Option<usize>,
    pub use_tabs: Option<bool>,
    pub line_width: Option<usize>,
}

impl Settings {
    /// These settings, with what they leave unset taken from `lower`.
    pub fn or(self, lower: Settings) -> Settings {
        Settings {
            indent_width: self.indent_width.or(lower.indent_width),
            use_tabs: self.use_tabs.or(lower.use_tabs),
            line_width: self.line_width.or(lower.line_width),
        }
    }

    /// The options, with the defaults for what is unset. Widths are at least 1.
    pub fn resolve(self) -> Options {
        let defaults = Options::default();
        Options {
            indent_width: self.indent_width.unwrap_or(defaults.indent_width).max(1),
            use_tabs: self.use_tabs.unwrap_or(defaults.use_tabs),
            line_width: self.line_width.unwrap_or(defaults.line_width).max(1),
        }
    }

    /// The settings an editor sends with a formatting request (LSP `FormattingOptions`).
    pub fn from_editor(tab_size: u32, insert_spaces: bool) -> Settings {
        Settings { indent_width: Some(tab_size as usize), use_tabs: Some(!insert_spaces), line_width: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_sources_win_and_defaults_fill_the_rest() {
        let flags = Settings { line_width: Some(80), ..Settings::default() };
        let toml = Settings { indent_width: Some(4), line_width: Some(100), ..Settings::default() };
        let editor = Settings::from_editor(8, false);
        let options = flags.or(toml).or(editor).resolve();
        assert_eq!(options, Options { indent_width: 4, use_tabs: true, line_width: 80 });
        assert_eq!(Settings::default().resolve(), Options::default());
        let zero = Settings { indent_width: Some(0), line_width: Some(0), use_tabs: None };
        assert_eq!(zero.resolve(), Options { indent_width: 1, use_tabs: false, line_width: 1 });
    }
}
