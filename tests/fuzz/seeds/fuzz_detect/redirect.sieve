# comment
require ["copy"];
redirect :copy "jdoe@outlook.de";
