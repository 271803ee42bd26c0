#!/bin/bash count=`netstat -ntlp | grep '\<5672\>' | wc -l` killall -0 nginx &> /dev/null[ $? -eq 0 ] && [ $count -gt 0 ] && exit 0 || exit 1
