# help-lib.sh: how the tests read options from the program's --help, in one
# place (sourced by manpage.sh, completion.sh and completion-zsh.sh; the
# generator, scripts/gen-completion, reads them the same way).

# Option tokens (-x, --name) in text: a dash after a blank, a bracket, a
# comma, a bar or a parenthesis, so "built-in" and "TLS-RPT" are no options.
opt_tokens() {
	grep -oE '(^|[][ ,(|])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed -E 's/^[][ ,(|]//' | sort -u
}
# The rows of the main --help's options table ("  -b, --batch",
# "      --tls"): the prose around them names other commands' options.
option_rows() {
	grep -E '^ {2}-[A-Za-z0-9]|^ {6}--'
}
