require ["copy", "fileinto"];
# rule:[Kopie an Outlook]
redirect :copy "t.wolf@outlook.com";
# rule:[Mailinglisten]
if header :contains "list-id" "<uni-info.lists.uni-potsdam.de>" {
    fileinto "INBOX.Listen";
    stop;
}
