require ["fileinto", "envelope"];

/* Mail from the university goes to my Hotmail address during my semester
 * abroad; everything else stays here. */
if anyof (address :domain :is "from" "uni-potsdam.de",
          envelope :domain :is "from" "uni-potsdam.de") {
    redirect "m.becker@hotmail.com";
    stop;
} elsif header :contains "subject" ["[SPAM]", "***SPAM***"] {
    fileinto "Junk";
    stop;
}
