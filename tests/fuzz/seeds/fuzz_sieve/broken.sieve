require "fileinto";
# missing semicolon after keep, an unknown command, a bad address and an
# unterminated string
keep
discard;
redirect "ok@example.org";
frobnicate "x";
if header :contains "subject" "test" {
    redirect "not an address";
}
fileinto "INBOX.unterminated;
